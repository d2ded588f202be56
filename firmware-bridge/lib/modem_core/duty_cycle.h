// Airtime accounting over a sliding one-hour window, in minute buckets: fixed memory, never under-counts
// (a transmission is charged to the minute it started in and stays charged for a full hour).
#pragma once
#include <stdint.h>

namespace murmur {

class DutyCycle {
 public:
  static constexpr uint32_t kWindowMs = 3600000;
  static constexpr uint32_t kBuckets = 60;
  static constexpr uint32_t kBucketMs = kWindowMs / kBuckets;

  void setPermille(uint16_t permille) { permille_ = permille > 1000 ? 1000 : permille; }
  uint16_t permille() const { return permille_; }
  uint32_t budgetMs() const { return kWindowMs / 1000 * permille_; }

  void charge(uint32_t nowMs, uint32_t airtimeMs) {
    roll(nowMs);
    buckets_[current_ % kBuckets] += airtimeMs;
  }

  uint32_t usedMs(uint32_t nowMs) {
    roll(nowMs);
    uint32_t sum = 0;
    for (uint32_t b : buckets_) sum += b;
    return sum;
  }

  // Whether a transmission of airtimeMs may start now without exceeding the budget.
  bool allows(uint32_t nowMs, uint32_t airtimeMs) {
    if (permille_ >= 1000) return true;
    return usedMs(nowMs) + airtimeMs <= budgetMs();
  }

 private:
  void roll(uint32_t nowMs) {
    uint32_t minute = nowMs / kBucketMs;
    if (!started_) {
      started_ = true;
      current_ = minute;
      return;
    }
    // clear the buckets that slid out of the window (at most all of them)
    uint32_t steps = minute - current_;
    if (steps > kBuckets) steps = kBuckets;
    for (uint32_t i = 1; i <= steps; i++) buckets_[(current_ + i) % kBuckets] = 0;
    current_ = minute;
  }

  uint32_t buckets_[kBuckets] = {};
  uint32_t current_ = 0;
  bool started_ = false;
  uint16_t permille_ = 1000;
};

}  // namespace murmur
