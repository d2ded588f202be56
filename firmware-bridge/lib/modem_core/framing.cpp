#include "framing.h"

namespace murmur {

uint16_t crc16(const uint8_t* data, size_t len) {
  uint16_t crc = 0xffff;
  for (size_t i = 0; i < len; i++) {
    crc ^= uint16_t(data[i]) << 8;
    for (int k = 0; k < 8; k++) crc = (crc & 0x8000) ? uint16_t((crc << 1) ^ 0x1021) : uint16_t(crc << 1);
  }
  return crc;
}

size_t encodeFrame(const uint8_t* payload, size_t len, uint8_t* out, size_t outCap) {
  if (outCap < framedLength(len)) return 0;
  uint16_t crc = crc16(payload, len);
  size_t codeAt = 0, o = 1;
  uint8_t code = 1;
  const size_t bodyLen = len + 2;
  for (size_t i = 0; i < bodyLen; i++) {
    uint8_t b = i < len ? payload[i] : (i == len ? uint8_t(crc >> 8) : uint8_t(crc & 0xff));
    if (b != 0) {
      out[o++] = b;
      code++;
    }
    if (b == 0 || code == 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  out[o++] = 0;
  return o;
}

}  // namespace murmur
