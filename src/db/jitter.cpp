#include "db/jitter.hpp"

#include <random>

namespace pgentry::db {

std::chrono::milliseconds jittered(std::chrono::milliseconds low, std::chrono::milliseconds high) {
    static std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<std::chrono::milliseconds::rep> spread(low.count(), high.count());
    return std::chrono::milliseconds(spread(random));
}

}  // namespace pgentry::db
