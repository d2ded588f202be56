// Murmur modem serial protocol, version 1. Every message is one frame (see framing.h); its first byte is
// the message type. Multi-byte integers are big-endian. Full description: firmware-bridge/PROTOCOL.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace murmur {
namespace proto {

constexpr uint8_t kVersion = 1;
constexpr size_t kMaxRadioPayload = 255;  // one LoRa packet
constexpr size_t kMaxMessage = kMaxRadioPayload + 16;

// host -> modem
constexpr uint8_t HELLO = 0x01;      // []                                   -> HELLO_OK, replays unacked RX
constexpr uint8_t CONFIGURE = 0x02;  // freq u32 Hz, bw u32 Hz, sf u8, cr u8 (5..8 = 4/5..4/8), power i8 dBm,
                                     // sync u8, duty u16 permille (1000 = no limit), reserved u16 = 0
                                     //                                      -> CONFIG_OK | ERROR
constexpr uint8_t SEND = 0x03;       // tag u32, payload 1..255 bytes        -> ACCEPTED | QUEUE_FULL | ERROR
constexpr uint8_t STATUS = 0x04;     // []                                   -> STATUS_OK
constexpr uint8_t RX_ACK = 0x05;     // seq u16: every RX up to seq arrived

// modem -> host
constexpr uint8_t HELLO_OK = 0x81;    // version u8, boot id u32, mtu u8, tx slots u8, rx slots u16,
                                      // seq u16 of the oldest RX not yet acknowledged (or the next)
constexpr uint8_t CONFIG_OK = 0x82;   // the applied configuration, as in CONFIGURE
constexpr uint8_t ACCEPTED = 0x83;    // tag u32, queued u8, slots u8
constexpr uint8_t QUEUE_FULL = 0x84;  // tag u32, queued u8, slots u8
constexpr uint8_t STATUS_OK = 0x85;   // queued u8, slots u8, airtime used in window ms u32, window s u32,
                                      // duty permille u16, temperature deci-degC i16, tx u32, rx u32,
                                      // rx dropped u32, serial rejects u32, radio busy u8, rx pending u16,
                                      // queue-full replies u16 (saturating)
constexpr uint8_t RX = 0x90;          // seq u16, rssi i16 dBm, snr i8 quarter-dB, payload
constexpr uint8_t TX_DONE = 0x91;     // tag u32, airtime ms u32, queued u8, slots u8
constexpr uint8_t BOOT = 0x92;        // boot id u32 (sent once at power-up)
constexpr uint8_t ERROR = 0x8F;       // command u8, code u8

// ERROR codes
constexpr uint8_t E_LENGTH = 1;
constexpr uint8_t E_PARAM = 2;
constexpr uint8_t E_UNKNOWN = 3;
constexpr uint8_t E_RADIO = 4;

inline void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline uint16_t get16(const uint8_t* p) { return uint16_t((uint16_t(p[0]) << 8) | p[1]); }
inline uint32_t get32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

}  // namespace proto
}  // namespace murmur
