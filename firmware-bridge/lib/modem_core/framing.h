// Serial framing shared with the companion computer (src/wire/framing.ts): a frame on the line is
// COBS(payload || CRC-16/CCITT-FALSE big-endian) followed by one 0x00 delimiter. Portable C++ (no Arduino).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace murmur {

uint16_t crc16(const uint8_t* data, size_t len);

// Largest framed size of an n-byte payload (delimiter included).
constexpr size_t framedLength(size_t n) { return (n + 2) + (n + 2) / 254 + 1 + 1; }

// Encodes payload into out (capacity >= framedLength(len)); returns bytes written, 0 if out is too small.
size_t encodeFrame(const uint8_t* payload, size_t len, uint8_t* out, size_t outCap);

enum class FrameError : uint8_t { None, Oversize, Malformed, Truncated, BadCrc };

// Incremental decoder with a fixed buffer: resynchronises at the next delimiter after any garbage.
template <size_t MaxPayload>
class FrameDecoder {
 public:
  struct Stats {
    uint32_t frames = 0;
    uint32_t rejected = 0;
  };

  // Feeds one byte. Returns true when a valid frame completed (payload()/length() then hold it until the
  // next call); on a bad frame sets lastError() and counts it.
  bool push(uint8_t b) {
    if (b != 0) {
      if (len_ < sizeof(raw_)) raw_[len_++] = b;
      else overflowed_ = true;
      return false;
    }
    if (len_ == 0 && !overflowed_) return false;  // idle delimiters
    bool ok = finish();
    len_ = 0;
    overflowed_ = false;
    return ok;
  }

  const uint8_t* payload() const { return out_; }
  size_t length() const { return outLen_; }
  FrameError lastError() const { return err_; }
  const Stats& stats() const { return stats_; }
  void reset() {
    len_ = 0;
    overflowed_ = false;
  }

 private:
  bool fail(FrameError e) {
    err_ = e;
    stats_.rejected++;
    return false;
  }
  bool finish() {
    if (overflowed_) return fail(FrameError::Oversize);
    size_t i = 0, o = 0;
    while (i < len_) {
      uint8_t code = raw_[i++];
      size_t end = i + code - 1;
      if (end > len_) return fail(FrameError::Malformed);
      while (i < end) out_[o++] = raw_[i++];
      if (code != 0xff && i < len_) out_[o++] = 0;
    }
    if (o < 2) return fail(FrameError::Truncated);
    size_t n = o - 2;
    uint16_t want = (uint16_t(out_[n]) << 8) | out_[n + 1];
    if (crc16(out_, n) != want) return fail(FrameError::BadCrc);
    if (n > MaxPayload) return fail(FrameError::Oversize);
    outLen_ = n;
    err_ = FrameError::None;
    stats_.frames++;
    return true;
  }

  uint8_t raw_[framedLength(MaxPayload)];
  uint8_t out_[framedLength(MaxPayload)];
  size_t len_ = 0;
  size_t outLen_ = 0;
  bool overflowed_ = false;
  FrameError err_ = FrameError::None;
  Stats stats_;
};

}  // namespace murmur
