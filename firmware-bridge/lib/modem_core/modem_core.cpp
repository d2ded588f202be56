#include "modem_core.h"

#include <string.h>

#include "airtime.h"

namespace murmur {
using namespace proto;

void ModemCore::begin(uint32_t nowMs) {
  duty_.setPermille(cfg_.dutyPermille);
  duty_.usedMs(nowMs);
  hal_.radioConfigure(cfg_);
  uint8_t m[5] = {BOOT};
  put32(m + 1, bootId_);
  emit(m, sizeof m);
  rxLastProgressMs_ = nowMs;
}

void ModemCore::emit(const uint8_t* msg, size_t len) {
  uint8_t out[framedLength(kMaxMessage)];
  size_t n = encodeFrame(msg, len, out, sizeof out);
  if (n) hal_.serialWrite(out, n);
}

void ModemCore::error(uint8_t cmd, uint8_t code) {
  uint8_t m[3] = {ERROR, cmd, code};
  emit(m, sizeof m);
}

void ModemCore::onSerialBytes(const uint8_t* data, size_t len, uint32_t nowMs) {
  for (size_t i = 0; i < len; i++) {
    if (decoder_.push(data[i])) handle(decoder_.payload(), decoder_.length(), nowMs);
    else if (decoder_.lastError() != FrameError::None) stats_.serialRejects = decoder_.stats().rejected;
  }
  stats_.serialRejects = decoder_.stats().rejected;
}

void ModemCore::handle(const uint8_t* msg, size_t len, uint32_t nowMs) {
  if (len == 0) return;
  switch (msg[0]) {
    case HELLO:
      sendHello();
      rxSent_ = 0;  // the host may have missed anything in flight: replay every unacknowledged packet
      rxLastProgressMs_ = nowMs;
      break;
    case CONFIGURE:
      handleConfigure(msg, len);
      break;
    case SEND:
      handleSend(msg, len);
      break;
    case STATUS:
      sendStatus(nowMs);
      break;
    case RX_ACK:
      if (len != 3) return error(msg[0], E_LENGTH);
      ack(get16(msg + 1));
      rxLastProgressMs_ = nowMs;
      break;
    default:
      error(msg[0], E_UNKNOWN);
  }
  poll(nowMs);
}

void ModemCore::sendHello() {
  uint8_t m[12] = {HELLO_OK, kVersion};
  put32(m + 2, bootId_);
  m[6] = uint8_t(kMaxRadioPayload);
  m[7] = uint8_t(kTxSlots);
  put16(m + 8, uint16_t(kRxSlots));
  put16(m + 10, rxCount_ ? rx_[rxHead_].seq : rxNextSeq_);
  emit(m, sizeof m);
}

void ModemCore::handleConfigure(const uint8_t* msg, size_t len) {
  if (len != 17) return error(CONFIGURE, E_LENGTH);
  RadioConfig c;
  c.freqHz = get32(msg + 1);
  c.bwHz = get32(msg + 5);
  c.sf = msg[9];
  c.cr = msg[10];
  c.powerDbm = int8_t(msg[11]);
  c.syncWord = msg[12];
  c.dutyPermille = get16(msg + 13);
  // msg[15..16] reserved (preamble length in a later version), must be zero
  const bool bwOk = c.bwHz == 7800 || c.bwHz == 10400 || c.bwHz == 15600 || c.bwHz == 20800 ||
                    c.bwHz == 31250 || c.bwHz == 41700 || c.bwHz == 62500 || c.bwHz == 125000 ||
                    c.bwHz == 250000 || c.bwHz == 500000;
  if (c.freqHz < 137000000 || c.freqHz > 1020000000 || !bwOk || c.sf < 6 || c.sf > 12 || c.cr < 5 ||
      c.cr > 8 || c.powerDbm < -9 || c.powerDbm > 22 || c.dutyPermille > 1000 || msg[15] || msg[16])
    return error(CONFIGURE, E_PARAM);
  if (!hal_.radioConfigure(c)) return error(CONFIGURE, E_RADIO);
  cfg_ = c;
  duty_.setPermille(c.dutyPermille);
  uint8_t m[17];
  memcpy(m, msg, 17);
  m[0] = CONFIG_OK;
  emit(m, sizeof m);
}

bool ModemCore::recentlyAccepted(uint32_t tag) const {
  for (size_t i = 0; i < recentCount_; i++)
    if (recent_[i] == tag) return true;
  return false;
}

void ModemCore::emitQueueReply(uint8_t type, uint32_t tag) {
  uint8_t m[7] = {type};
  put32(m + 1, tag);
  m[5] = uint8_t(txCount_ + (busy_ ? 1 : 0));
  m[6] = uint8_t(kTxSlots);
  emit(m, sizeof m);
}

void ModemCore::handleSend(const uint8_t* msg, size_t len) {
  if (len < 6) return error(SEND, E_LENGTH);
  const size_t n = len - 5;
  if (n > kMaxRadioPayload) return error(SEND, E_LENGTH);
  const uint32_t tag = get32(msg + 1);
  // A host that lost our reply resends after reconnecting: answer again, never queue twice.
  if (recentlyAccepted(tag)) {
    stats_.duplicates++;
    return emitQueueReply(ACCEPTED, tag);
  }
  // The packet being transmitted holds a slot too, so "queued" counts it.
  if (txCount_ + (busy_ ? 1 : 0) >= kTxSlots) {
    stats_.queueFull++;
    return emitQueueReply(QUEUE_FULL, tag);
  }
  TxSlot& s = tx_[(txHead_ + txCount_) % kTxSlots];
  s.tag = tag;
  s.len = uint16_t(n);
  memcpy(s.data, msg + 5, n);
  txCount_++;
  recent_[recentNext_] = tag;
  recentNext_ = (recentNext_ + 1) % kRecentTags;
  if (recentCount_ < kRecentTags) recentCount_++;
  emitQueueReply(ACCEPTED, tag);
}

uint32_t ModemCore::airtimeMs(size_t len) const {
  return (loraAirtimeUs(uint32_t(len), cfg_.sf, cfg_.bwHz, cfg_.cr) + 999) / 1000;
}

void ModemCore::sendStatus(uint32_t nowMs) {
  uint8_t m[36] = {STATUS_OK};
  m[1] = uint8_t(txCount_ + (busy_ ? 1 : 0));
  m[2] = uint8_t(kTxSlots);
  put32(m + 3, duty_.usedMs(nowMs));
  put32(m + 7, DutyCycle::kWindowMs / 1000);
  put16(m + 11, duty_.permille());
  put16(m + 13, uint16_t(hal_.temperatureDeciC()));
  put32(m + 15, stats_.tx);
  put32(m + 19, stats_.rx);
  put32(m + 23, stats_.rxDropped);
  put32(m + 27, stats_.serialRejects);
  m[31] = busy_ ? 1 : 0;
  put16(m + 32, uint16_t(rxCount_));
  put16(m + 34, uint16_t(stats_.queueFull > 0xffff ? 0xffff : stats_.queueFull));
  emit(m, sizeof m);
}

void ModemCore::onTransmitDone(uint32_t nowMs) {
  if (!busy_) return;
  busy_ = false;
  stats_.tx++;
  uint8_t m[11] = {TX_DONE};
  put32(m + 1, busyTag_);
  put32(m + 5, busyAirtimeMs_);
  m[9] = uint8_t(txCount_);
  m[10] = uint8_t(kTxSlots);
  emit(m, sizeof m);
  poll(nowMs);
}

void ModemCore::onRadioReceived(const uint8_t* data, size_t len, int16_t rssi, int8_t snr, uint32_t nowMs) {
  if (len == 0 || len > kMaxRadioPayload) return;
  stats_.rx++;
  if (rxCount_ >= kRxSlots) {  // the host has been away too long: the newest packet is the one lost
    stats_.rxDropped++;
    return;
  }
  RxSlot& s = rx_[(rxHead_ + rxCount_) % kRxSlots];
  s.seq = rxNextSeq_++;
  s.rssi = rssi;
  s.snr = snr;
  s.len = uint16_t(len);
  memcpy(s.data, data, len);
  if (rxCount_ == 0) rxLastProgressMs_ = nowMs;
  rxCount_++;
  poll(nowMs);
}

void ModemCore::emitRx(const RxSlot& s) {
  uint8_t m[6 + kMaxRadioPayload] = {RX};
  put16(m + 1, s.seq);
  put16(m + 3, uint16_t(s.rssi));
  m[5] = uint8_t(s.snr);
  memcpy(m + 6, s.data, s.len);
  emit(m, 6 + s.len);
}

void ModemCore::ack(uint16_t seq) {
  // Cumulative: drop every pending packet up to and including seq (modulo 2^16).
  while (rxCount_ > 0) {
    const RxSlot& s = rx_[rxHead_];
    if (int16_t(uint16_t(seq - s.seq)) < 0) break;
    rxHead_ = (rxHead_ + 1) % kRxSlots;
    rxCount_--;
    if (rxSent_ > 0) rxSent_--;
  }
}

void ModemCore::poll(uint32_t nowMs) {
  if (!busy_ && txCount_ > 0) {
    TxSlot& s = tx_[txHead_];
    const uint32_t air = airtimeMs(s.len);
    if (duty_.allows(nowMs, air)) {
      busy_ = true;
      busyTag_ = s.tag;
      busyAirtimeMs_ = air;
      txHead_ = (txHead_ + 1) % kTxSlots;
      txCount_--;
      duty_.charge(nowMs, air);
      if (!hal_.radioTransmit(s.data, s.len)) {
        busy_ = false;
        error(SEND, E_RADIO);
      }
    }
  }
  if (rxCount_ > 0 && rxSent_ == rxCount_ && nowMs - rxLastProgressMs_ >= kRxReplayMs) {
    rxSent_ = 0;  // no ack for a while: go back to the oldest unacknowledged packet
    rxLastProgressMs_ = nowMs;
  }
  while (rxSent_ < rxCount_) emitRx(rx_[(rxHead_ + rxSent_++) % kRxSlots]);
}

}  // namespace murmur
