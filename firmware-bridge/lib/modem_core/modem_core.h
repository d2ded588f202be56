// The modem's brain, free of Arduino and radio-driver headers so it builds and is tested on the host:
// serial protocol, transmit queue, duty-cycle accounting, and reliable delivery of received packets to
// the host (sequence numbers + cumulative acks, replayed after a reconnect).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "duty_cycle.h"
#include "framing.h"
#include "protocol.h"

#ifndef MODEM_TX_SLOTS
#define MODEM_TX_SLOTS 16
#endif
#ifndef MODEM_RX_SLOTS
#define MODEM_RX_SLOTS 64
#endif

namespace murmur {

struct RadioConfig {
  uint32_t freqHz = 869525000;
  uint32_t bwHz = 125000;
  uint8_t sf = 9;
  uint8_t cr = 5;  // 4/5
  int8_t powerDbm = 14;
  uint8_t syncWord = 0x12;  // private LoRa networks
  uint16_t dutyPermille = 1000;
};

// What the board (or the host emulator) provides.
class ModemHal {
 public:
  virtual ~ModemHal() {}
  virtual void serialWrite(const uint8_t* data, size_t len) = 0;
  virtual bool radioConfigure(const RadioConfig& cfg) = 0;
  // Starts a transmission; the board calls ModemCore::onTransmitDone when it ends.
  virtual bool radioTransmit(const uint8_t* data, size_t len) = 0;
  virtual int16_t temperatureDeciC() = 0;
};

class ModemCore {
 public:
  static constexpr size_t kTxSlots = MODEM_TX_SLOTS;
  static constexpr size_t kRxSlots = MODEM_RX_SLOTS;
  static constexpr size_t kRecentTags = 64;
  static constexpr uint32_t kRxReplayMs = 300;

  ModemCore(ModemHal& hal, uint32_t bootId) : hal_(hal), bootId_(bootId) {}

  // Announces the boot and applies the default radio configuration.
  void begin(uint32_t nowMs);
  void onSerialBytes(const uint8_t* data, size_t len, uint32_t nowMs);
  void onRadioReceived(const uint8_t* data, size_t len, int16_t rssi, int8_t snrQuarterDb, uint32_t nowMs);
  void onTransmitDone(uint32_t nowMs);
  // Call often: starts the next transmission when allowed, replays unacknowledged received packets.
  void poll(uint32_t nowMs);

  const RadioConfig& config() const { return cfg_; }
  size_t queued() const { return txCount_; }
  bool radioBusy() const { return busy_; }
  uint32_t airtimeUsedMs(uint32_t nowMs) { return duty_.usedMs(nowMs); }
  size_t rxPending() const { return rxCount_; }

  struct Stats {
    uint32_t tx = 0, rx = 0, rxDropped = 0, serialRejects = 0, queueFull = 0, duplicates = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct TxSlot {
    uint32_t tag;
    uint16_t len;
    uint8_t data[proto::kMaxRadioPayload];
  };
  struct RxSlot {
    uint16_t seq;
    int16_t rssi;
    int8_t snr;
    uint16_t len;
    uint8_t data[proto::kMaxRadioPayload];
  };

  void handle(const uint8_t* msg, size_t len, uint32_t nowMs);
  void handleSend(const uint8_t* msg, size_t len);
  void handleConfigure(const uint8_t* msg, size_t len);
  void sendStatus(uint32_t nowMs);
  void sendHello();
  void error(uint8_t cmd, uint8_t code);
  void emit(const uint8_t* msg, size_t len);
  void emitQueueReply(uint8_t type, uint32_t tag);
  void emitRx(const RxSlot& s);
  void ack(uint16_t seq);
  bool recentlyAccepted(uint32_t tag) const;
  bool tagQueued(uint32_t tag) const;
  uint32_t airtimeMs(size_t len) const;

  ModemHal& hal_;
  uint32_t bootId_;
  RadioConfig cfg_;
  DutyCycle duty_;
  FrameDecoder<proto::kMaxMessage> decoder_;

  TxSlot tx_[kTxSlots];
  size_t txHead_ = 0, txCount_ = 0;
  bool busy_ = false;
  uint32_t busyTag_ = 0, busyAirtimeMs_ = 0;

  uint32_t recent_[kRecentTags] = {};
  size_t recentNext_ = 0, recentCount_ = 0;

  RxSlot rx_[kRxSlots];
  size_t rxHead_ = 0, rxCount_ = 0;  // unacknowledged packets, oldest at rxHead_
  size_t rxSent_ = 0;                // how many of them went to the host since the last replay
  uint16_t rxNextSeq_ = 0;
  uint32_t rxLastProgressMs_ = 0;

  Stats stats_;
};

}  // namespace murmur
