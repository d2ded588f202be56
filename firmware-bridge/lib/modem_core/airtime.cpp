#include "airtime.h"

namespace murmur {

uint32_t loraAirtimeUs(uint32_t bytes, uint8_t sf, uint32_t bwHz, uint8_t cr, uint8_t preamble) {
  // Work in nanoseconds of symbol time, in 64-bit integers so the result is exact and platform independent.
  const uint64_t tSymNs = (uint64_t(1) << sf) * 1000000000ull / bwHz;
  const int de = tSymNs >= 16000000ull ? 1 : 0;  // low data-rate optimisation when a symbol lasts >= 16 ms
  const int crc = 1, ih = 0;
  const int num = int(8 * bytes) - 4 * sf + 28 + 16 * crc - 20 * ih;
  const int den = 4 * (sf - 2 * de);
  int blocks = num > 0 ? (num + den - 1) / den : 0;
  const uint64_t payloadSym = 8 + uint64_t(blocks) * (uint64_t(cr - 4) + 4);
  // preamble + 4.25 symbols, kept in quarter symbols
  const uint64_t quarterSym = uint64_t(preamble) * 4 + 17 + payloadSym * 4;
  return uint32_t((quarterSym * tSymNs / 4 + 500) / 1000);
}

}  // namespace murmur
