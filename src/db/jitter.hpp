#pragma once
// Random spreads for every pause pgentry takes between two tries (connecting, the lock, a DDL retry), so that
// replicas refused or started together do not come back together.
#include <chrono>

namespace pgentry::db {

// A duration drawn uniformly from [low, high], in whole milliseconds; low <= high. One generator per process,
// seeded from std::random_device: two replicas never share a sequence.
std::chrono::milliseconds jittered(std::chrono::milliseconds low, std::chrono::milliseconds high);

}  // namespace pgentry::db
