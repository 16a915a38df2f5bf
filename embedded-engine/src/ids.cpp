#include "weft/ids.hpp"

#include "weft/time.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <random>

namespace weft {

namespace {
std::uint64_t random64() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine();
}
} // namespace

std::string new_id() {
    // RFC 9562 version 7: 48 bits of Unix milliseconds, then a 12-bit sequence that keeps ids made
    // in the same millisecond by this process in order, then 62 random bits.
    static std::atomic<std::uint64_t> last{0};
    const std::uint64_t ms = std::uint64_t(now_us() / 1000);
    std::uint64_t prev = last.load(std::memory_order_relaxed);
    std::uint64_t next;
    do {
        next = std::max(prev + 1, ms << 12);
    } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
    const std::uint64_t hi = ((next >> 12) << 16) | 0x7000u | (next & 0x0fffu);
    const std::uint64_t lo = (random64() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;

    static const char* hex = "0123456789abcdef";
    std::string out(36, '-');
    int pos = 0;
    auto put = [&](std::uint64_t v, int nibbles) {
        for (int i = nibbles - 1; i >= 0; --i) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
            out[pos++] = hex[(v >> (i * 4)) & 0xf];
        }
    };
    put(hi, 16);
    put(lo, 16);
    return out;
}

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

std::string random_run_name() {
    // 100 x 100 x 10,000 = 10^8 names: among 10,000 runs about one pair shares a name, where two
    // words alone (1,024 of them) once named 3,612 runs with 989 names. No word is made of hex
    // digits only, so a name is never mistaken for an id prefix.
    static constexpr std::array<const char*, 100> adjectives{
        "agile",   "amber",  "ample",  "azure",  "balmy",  "bold",     "brave",   "breezy",
        "bright",  "brisk",  "bubbly", "calm",   "candid", "cheery",   "chipper", "clever",
        "cosmic",  "crisp",  "curly",  "daring", "dapper", "dashing",  "dreamy",  "eager",
        "earnest", "easy",   "elated", "epic",   "fancy",  "fearless", "fiery",   "fluffy",
        "frank",   "fresh",  "frosty", "funky",  "fuzzy",  "gentle",   "giddy",   "glossy",
        "golden",  "grand",  "happy",  "hardy",  "hasty",  "hearty",   "humble",  "icy",
        "ivory",   "jaunty", "jolly",  "jovial", "keen",   "kind",     "lively",  "loyal",
        "lucky",   "lunar",  "mellow", "merry",  "mighty", "misty",    "modest",  "nimble",
        "noble",   "olive",  "perky",  "plucky", "polite", "proud",    "quick",   "quiet",
        "rapid",   "regal",  "rosy",   "rustic", "sandy",  "savvy",    "serene",  "shiny",
        "silver",  "snappy", "snowy",  "sonic",  "spry",   "steady",   "sturdy",  "sunny",
        "swift",   "tidy",   "upbeat", "vivid",  "warm",   "wavy",     "wily",    "windy",
        "witty",   "young",  "zany",   "zesty"};
    static constexpr std::array<const char*, 100> animals{
        "alpaca",  "badger",  "beaver",  "bison",   "bobcat", "condor",  "cougar",  "coyote",
        "crane",   "cricket", "dingo",   "dolphin", "donkey", "eagle",   "egret",   "falcon",
        "ferret",  "finch",   "gazelle", "gecko",   "gibbon", "gopher",  "grouse",  "hamster",
        "heron",   "hippo",   "hornet",  "husky",   "ibis",   "iguana",  "impala",  "jackal",
        "jaguar",  "koala",   "kestrel", "kiwi",    "lemur",  "leopard", "lizard",  "llama",
        "lobster", "lynx",    "magpie",  "mallard", "mantis", "marmot",  "marten",  "mink",
        "mole",    "moose",   "narwhal", "newt",    "ocelot", "octopus", "oriole",  "osprey",
        "otter",   "owl",     "panda",   "panther", "parrot", "pelican", "penguin", "pigeon",
        "puffin",  "python",  "quail",   "quokka",  "rabbit", "raccoon", "raven",   "robin",
        "salmon",  "seal",    "shrew",   "skunk",   "sloth",  "snail",   "sparrow", "spider",
        "squid",   "stork",   "swallow", "swan",    "tapir",  "tiger",   "toucan",  "trout",
        "turkey",  "turtle",  "urchin",  "viper",   "vole",   "walrus",  "weasel",  "whale",
        "wombat",  "wren",    "yak",     "zebra"};
    const std::uint64_t r = random64();
    const auto adjective = adjectives[r % adjectives.size()];
    const auto animal = animals[(r / adjectives.size()) % animals.size()];
    char number[8];
    std::snprintf(number, sizeof number, "%04u",
                  unsigned(r / adjectives.size() / animals.size() % 10'000));
    return std::string(adjective) + "-" + animal + "-" + number;
}

} // namespace weft
