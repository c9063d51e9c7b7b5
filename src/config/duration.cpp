#include <algorithm>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/options.hpp"

namespace pgentry::config {
namespace {

struct Unit {
    std::string_view suffix;
    std::int64_t milliseconds;
};

constexpr Unit units[] = {{"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}};

// Callers add durations to steady_clock::now(), counted in nanoseconds: keep half that range as margin.
constexpr std::int64_t max_milliseconds =
    std::chrono::duration_cast<Duration>(std::chrono::nanoseconds::max() / 2).count();

// Beyond 9 significant fraction digits no unit (at most 3.6e6 ms) yields whole milliseconds.
constexpr std::size_t max_fraction_digits = 9;

std::int64_t unit_milliseconds(std::string_view suffix) {
    if (suffix.empty()) {
        return 1'000;
    }
    for (const Unit& unit : units) {
        if (unit.suffix == suffix) {
            return unit.milliseconds;
        }
    }
    throw std::invalid_argument("unknown unit '" + std::string(suffix) + "' (use ms, s, m or h)");
}

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::int64_t to_integer(std::string_view digits) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) {
        throw std::invalid_argument("too large");
    }
    return value;
}

std::int64_t times(std::int64_t value, std::int64_t factor) {
    if (value > max_milliseconds / factor) {
        throw std::invalid_argument("too large");
    }
    return value * factor;
}

// The fraction's contribution in whole milliseconds, e.g. ".5" of a second is 500.
std::int64_t fraction_milliseconds(std::string_view digits, std::int64_t unit) {
    digits = digits.substr(0, digits.find_last_not_of('0') + 1);
    if (digits.size() > max_fraction_digits) {
        throw std::invalid_argument("finer than a millisecond");
    }
    std::int64_t scale = 1;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        scale *= 10;
    }
    const std::int64_t scaled = (digits.empty() ? 0 : to_integer(digits)) * unit;
    if (scaled % scale != 0) {
        throw std::invalid_argument("finer than a millisecond");
    }
    return scaled / scale;
}

}  // namespace

Duration parse_duration(std::string_view text) {
    if (text.empty()) {
        throw std::invalid_argument("empty duration");
    }
    if (text.front() == '-') {
        throw std::invalid_argument("negative durations are not allowed");
    }
    const std::size_t number_end = std::min(text.find_first_not_of("0123456789."), text.size());
    const std::int64_t unit = unit_milliseconds(text.substr(number_end));
    const std::string_view number = text.substr(0, number_end);
    const std::size_t point = std::min(number.find('.'), number.size());
    const std::string_view whole = number.substr(0, point);
    const std::string_view fraction =
        point < number.size() ? number.substr(point + 1) : std::string_view("0");
    if (!all_digits(whole) || !all_digits(fraction)) {
        throw std::invalid_argument("expected a number followed by ms, s, m or h");
    }
    const std::int64_t total = times(to_integer(whole), unit) + fraction_milliseconds(fraction, unit);
    if (total > max_milliseconds) {
        throw std::invalid_argument("too large");
    }
    return Duration(total);
}

}  // namespace pgentry::config
