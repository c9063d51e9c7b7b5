#include "log/log.hpp"

#include <memory>

#include <boost/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pgentry::log {

namespace {

struct State {
    config::LogFormat format = config::LogFormat::text;
    config::LogLevel level = config::LogLevel::info;
    std::shared_ptr<spdlog::logger> logger;
};

State& state() {
    static State s;
    return s;
}

spdlog::level::level_enum spdlog_level(config::LogLevel level) {
    switch (level) {
    case config::LogLevel::debug: return spdlog::level::debug;
    case config::LogLevel::info: return spdlog::level::info;
    case config::LogLevel::warn: return spdlog::level::warn;
    case config::LogLevel::error: return spdlog::level::err;
    }
    return spdlog::level::info;
}

std::string json_body(std::string_view level, std::string_view message, Fields fields) {
    boost::json::object object;
    object["level"] = level;
    object["msg"] = message;
    for (const Field& field : fields) {
        if (const auto* number = std::get_if<std::int64_t>(&field.value)) {
            object[field.key] = *number;
        } else {
            object[field.key] = std::get<std::string>(field.value);
        }
    }
    // spdlog's pattern adds the leading {"ts":...,  so the body drops its own opening brace.
    std::string text = boost::json::serialize(object);
    return text.substr(1);
}

// The logger is built on the first line written: a boot that logs nothing (a launch-only start at level
// info) does not pay for spdlog's pattern compiler.
void build_logger(State& s) {
    s.logger = std::make_shared<spdlog::logger>("pgentry", std::make_shared<spdlog::sinks::stderr_sink_st>());
    if (s.format == config::LogFormat::json) {
        s.logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ",%v)", spdlog::pattern_time_type::utc);
    } else {
        s.logger->set_pattern("%v");
    }
    s.logger->set_level(spdlog_level(s.level));
    s.logger->flush_on(spdlog::level::debug);
}

}  // namespace

void setup(config::LogFormat format, config::LogLevel level) {
    State& s = state();
    s.format = format;
    s.level = level;
    s.logger.reset();
}

bool enabled(config::LogLevel level) {
    return level >= state().level;
}

void write(config::LogLevel level, std::string_view message, Fields fields) {
    State& s = state();
    if (!enabled(level)) {
        return;
    }
    if (!s.logger) {
        build_logger(s);
    }
    if (s.format == config::LogFormat::json) {
        s.logger->log(spdlog_level(level), json_body(config::name_of(level), message, fields));
    } else {
        s.logger->log(spdlog_level(level), "[{}] {}", config::name_of(level), message);
    }
}

}  // namespace pgentry::log
