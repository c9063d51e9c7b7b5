// Fuzz target: pgentry::config::parse_duration, on any bytes.
// Properties, beyond not crashing:
//   - it returns or throws std::invalid_argument, nothing else;
//   - it agrees with an independent model of options.hpp's grammar: DIGITS[.DIGITS][ms|s|m|h], no sign,
//     whole milliseconds only, at most nanoseconds::max()/2; the model computes the value in 128 bits,
//     so "accepts" and "rejects" are both checked, and an accepted value is the exact one;
//   - an accepted value printed as "<N>ms" parses back to itself;
//   - parsing is deterministic.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "check.hpp"
#include "config/options.hpp"

using pgentry::config::Duration;
using pgentry::config::parse_duration;
using pgentry::fuzz::check;

namespace {

using Wide = __int128;

constexpr std::int64_t max_milliseconds =
    std::chrono::duration_cast<Duration>(std::chrono::nanoseconds::max() / 2).count();

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// Digits as a number, or nullopt once it exceeds limit (so that 128 bits never overflow).
std::optional<Wide> value_of(std::string_view digits, Wide limit) {
    Wide value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
        if (value > limit) {
            return std::nullopt;
        }
    }
    return value;
}

// The milliseconds text stands for, or nullopt when parse_duration must reject it.
std::optional<std::int64_t> model(std::string_view text) {
    Wide unit = 1000;
    for (const auto& [suffix, ms] : {std::pair{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}}) {
        if (text.ends_with(suffix) && !(std::string_view(suffix) == "s" && text.ends_with("ms"))) {
            text.remove_suffix(std::string_view(suffix).size());
            unit = ms;
            break;
        }
    }
    const std::size_t point = text.find('.');
    const std::string_view whole = text.substr(0, point);
    std::string_view fraction = point == std::string_view::npos ? "0" : text.substr(point + 1);
    if (!all_digits(whole) || !all_digits(fraction)) {
        return std::nullopt;
    }
    fraction = fraction.substr(0, fraction.find_last_not_of('0') + 1);  // "" when all zeros
    // Beyond max_milliseconds the whole part is too large in any unit. A fraction that does not end in 0
    // (trimmed above) is a whole number of milliseconds only if fraction * unit (at most 3.6e6 ms) is a
    // multiple of 10^digits: never with more than 18 digits, nor with a value above 10^18.
    const std::optional<Wide> integer = value_of(whole, max_milliseconds);
    const std::optional<Wide> numerator = value_of(fraction, Wide(1'000'000'000'000'000'000));
    if (!integer || !numerator || fraction.size() > 18) {
        return std::nullopt;
    }
    Wide scale = 1;
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        scale *= 10;
    }
    if (*numerator * unit % scale != 0) {
        return std::nullopt;
    }
    const Wide total = *integer * unit + *numerator * unit / scale;
    if (total > max_milliseconds) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(total);
}

std::optional<std::int64_t> parsed(std::string_view text) {
    try {
        const Duration duration = parse_duration(text);
        return duration.count();
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view text = pgentry::fuzz::as_text(data, size);
    const std::optional<std::int64_t> result = parsed(text);
    const std::optional<std::int64_t> expected = model(text);
    check(result.has_value() == expected.has_value(),
          expected ? "a valid duration is accepted" : "an invalid duration is rejected", text);
    if (result) {
        check(*result == *expected && *result >= 0, "a duration has the exact value", text);
        check(parsed(std::to_string(*result) + "ms") == result, "<N>ms parses back to N", text);
    }
    check(parsed(text) == result, "parsing is deterministic", text);
    return 0;
}
