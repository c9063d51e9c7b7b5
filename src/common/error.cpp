#include "common/error.hpp"

#include <cstring>

namespace pgentry {

Interrupted::Interrupted(int signal)
    : std::runtime_error(std::string("stopped by SIG") + sigabbrev_np(signal)), signal_(signal) {}

}  // namespace pgentry
