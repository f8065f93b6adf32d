// libFuzzer target: StoreUrl, the store URLs the window remembers and operators type. A
// password given to a URL (the password prompt) reads back as that password, the rest as
// before; a URL without its password reads with none.
// Seeds: tests/fuzz/corpus/storeurl/ (the URL forms of the README and Celery's result_backend).
#include <cstddef>
#include <cstdint>

#include <QString>

#include "fuzzcheck.h"
#include "storeurl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString input = fuzzText(data, size);
    // The first line is the URL; what follows, a password typed into the prompt.
    const qsizetype newline = input.indexOf(u'\n');
    const QString text = newline < 0 ? input : input.left(newline);
    const QString typed = newline < 0 ? QStringLiteral("pw") : input.mid(newline + 1);

    StoreUrl::withoutPassword(text);
    const Outcome<StoreUrl> parsed = StoreUrl::parse(text);
    if (!parsed)
        return 0;
    const StoreUrl &url = *parsed;
    url.displayString();
    url.account();

    const Outcome<StoreUrl> bare = StoreUrl::parse(url.withoutPassword());
    FUZZ_CHECK(bare, QStringLiteral("'%1' without its password is no URL").arg(url.displayString()));
    FUZZ_CHECK(bare->password.isEmpty(), QStringLiteral("'%1' without its password has one").arg(url.displayString()));

    if (url.scheme == StoreUrl::Scheme::Sqlite)
        return 0;
    const StoreUrl given = url.withPassword(typed);
    FUZZ_CHECK(given.password == typed, "withPassword() did not set the password");
    const Outcome<StoreUrl> reread = StoreUrl::parse(given.original);
    FUZZ_CHECK(reread, QStringLiteral("'%1' with a password is no URL").arg(url.displayString()));
    FUZZ_CHECK(reread->password == typed, QStringLiteral("'%1' with a password reads another one").arg(url.displayString()));
    FUZZ_CHECK(reread->scheme == url.scheme && reread->user == url.user && reread->host == url.host && reread->port == url.port
                   && reread->database == url.database && reread->options == url.options,
               QStringLiteral("'%1' with a password names another store").arg(url.displayString()));
    return 0;
}
