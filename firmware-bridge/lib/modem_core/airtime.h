// LoRa time on air (Semtech SX126x datasheet §6.1.4), explicit header, CRC on, 8-symbol preamble.
// Same formula as src/links/airtime.ts; both are checked against the same reference table.
#pragma once
#include <stdint.h>

namespace murmur {

// Microseconds on air for a payload of `bytes` at spreading factor sf (7..12), bandwidth bwHz,
// coding rate 4/cr (cr 5..8).
uint32_t loraAirtimeUs(uint32_t bytes, uint8_t sf, uint32_t bwHz, uint8_t cr, uint8_t preamble = 8);

}  // namespace murmur
