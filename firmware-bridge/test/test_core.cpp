// Host unit tests of the portable modem core: framing against the vectors shared with the TypeScript side,
// time on air against the reference table, and the modem protocol / queue / duty-cycle behaviour.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "airtime.h"
#include "duty_cycle.h"
#include "framing.h"
#include "modem_core.h"

using namespace murmur;
using Bytes = std::vector<uint8_t>;

static int failures = 0, checks = 0;
#define CHECK(cond)                                                      \
  do {                                                                   \
    checks++;                                                            \
    if (!(cond)) {                                                       \
      failures++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                    \
  } while (0)

static Bytes fromHex(const std::string& h) {
  Bytes b;
  if (h == "-") return b;
  for (size_t i = 0; i + 1 < h.size(); i += 2) b.push_back(uint8_t(strtoul(h.substr(i, 2).c_str(), nullptr, 16)));
  return b;
}

static Bytes frame(const Bytes& p) {
  Bytes out(framedLength(p.size()));
  out.resize(encodeFrame(p.data(), p.size(), out.data(), out.size()));
  return out;
}

static std::string vectorsDir;

static void testFramingVectors() {
  std::ifstream f(vectorsDir + "/framing.txt");
  CHECK(f.good());
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string ph, fh;
    is >> ph >> fh;
    Bytes payload = fromHex(ph), expect = fromHex(fh);
    CHECK(frame(payload) == expect);
    FrameDecoder<300> d;
    int got = 0;
    for (uint8_t b : expect)
      if (d.push(b)) {
        got++;
        CHECK(d.length() == payload.size());
        CHECK(memcmp(d.payload(), payload.data(), payload.size()) == 0);
      }
    CHECK(got == 1);
    n++;
  }
  CHECK(n >= 8);
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(crc16(check, 9) == 0x29B1);
}

static void testDecoderRejects() {
  FrameDecoder<64> d;
  Bytes good = frame({1, 2, 3});
  Bytes bad = good;
  bad[2] ^= 0x10;
  Bytes stream = {0x55, 0x66, 0x77, 0x00};         // garbage then delimiter
  stream.insert(stream.end(), bad.begin(), bad.end());  // corrupted frame
  stream.push_back(0x02);
  stream.push_back(0x00);  // truncated: one byte, no CRC
  stream.insert(stream.end(), good.begin(), good.end());
  for (int i = 0; i < 100; i++) stream.push_back(7);  // over-long run
  stream.push_back(0);
  stream.insert(stream.end(), good.begin(), good.end());
  int frames = 0;
  for (uint8_t b : stream)
    if (d.push(b)) frames++;
  CHECK(frames == 2);
  CHECK(d.stats().rejected == 4);
}

static void testAirtimeVectors() {
  std::ifstream f(vectorsDir + "/airtime.txt");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    unsigned sf, bw, cr, bytes;
    double ms;
    is >> sf >> bw >> cr >> bytes >> ms;
    double got = loraAirtimeUs(bytes, uint8_t(sf), bw, uint8_t(cr)) / 1000.0;
    if (fabs(got - ms) > 0.1) fprintf(stderr, "airtime sf%u %uB: %.2f != %.1f\n", sf, bytes, got, ms);
    CHECK(fabs(got - ms) <= 0.1);
    n++;
  }
  CHECK(n == 42);
}

static void testDutyCycle() {
  DutyCycle d;
  d.setPermille(10);  // 1 %: 36 s an hour
  CHECK(d.budgetMs() == 36000);
  uint32_t t = 1000;
  uint32_t sent = 0;
  while (d.allows(t, 1000)) {
    d.charge(t, 1000);
    sent += 1000;
    t += 2000;
  }
  CHECK(sent == 36000);
  CHECK(!d.allows(t, 1000));
  CHECK(d.allows(t + DutyCycle::kWindowMs, 1000));  // an hour later the window is empty again
  CHECK(d.usedMs(t + DutyCycle::kWindowMs + DutyCycle::kBucketMs) == 0);
}

// A fake board: records serial output as decoded messages, and transmissions.
struct FakeHal : ModemHal {
  FrameDecoder<400> dec;
  std::vector<Bytes> out;
  std::vector<Bytes> sent;
  bool radioOk = true;
  void serialWrite(const uint8_t* d, size_t n) override {
    for (size_t i = 0; i < n; i++)
      if (dec.push(d[i])) out.emplace_back(dec.payload(), dec.payload() + dec.length());
  }
  bool radioConfigure(const RadioConfig&) override { return radioOk; }
  bool radioTransmit(const uint8_t* d, size_t n) override {
    sent.emplace_back(d, d + n);
    return true;
  }
  int16_t temperatureDeciC() override { return 312; }
  Bytes take(uint8_t type) {
    for (size_t i = 0; i < out.size(); i++)
      if (!out[i].empty() && out[i][0] == type) {
        Bytes m = out[i];
        out.erase(out.begin() + long(i));
        return m;
      }
    return {};
  }
  size_t count(uint8_t type) const {
    size_t n = 0;
    for (auto& m : out) n += !m.empty() && m[0] == type;
    return n;
  }
};

static void host(ModemCore& m, const Bytes& msg, uint32_t now) {
  Bytes f = frame(msg);
  m.onSerialBytes(f.data(), f.size(), now);
}

static Bytes sendMsg(uint32_t tag, const Bytes& payload) {
  Bytes m(5 + payload.size(), 0);
  m[0] = proto::SEND;
  proto::put32(m.data() + 1, tag);
  for (size_t i = 0; i < payload.size(); i++) m[5 + i] = payload[i];
  return m;
}

static Bytes configureMsg(uint32_t freq, uint32_t bw, uint8_t sf, uint8_t cr, int8_t pwr, uint8_t sync, uint16_t duty) {
  Bytes m(17, 0);
  m[0] = proto::CONFIGURE;
  proto::put32(&m[1], freq);
  proto::put32(&m[5], bw);
  m[9] = sf;
  m[10] = cr;
  m[11] = uint8_t(pwr);
  m[12] = sync;
  proto::put16(&m[13], duty);
  return m;
}

static void testBootHelloConfigure() {
  FakeHal hal;
  ModemCore m(hal, 0xA1B2C3D4);
  m.begin(0);
  Bytes boot = hal.take(proto::BOOT);
  CHECK(boot.size() == 5 && proto::get32(&boot[1]) == 0xA1B2C3D4);
  host(m, {proto::HELLO}, 1);
  Bytes h = hal.take(proto::HELLO_OK);
  CHECK(h.size() == 12 && proto::get16(&h[10]) == 0 && h[1] == proto::kVersion && h[6] == 255 && h[7] == ModemCore::kTxSlots);
  host(m, configureMsg(868100000, 250000, 11, 5, 20, 0x2B, 10), 2);
  CHECK(hal.take(proto::CONFIG_OK).size() == 17);
  CHECK(m.config().sf == 11 && m.config().bwHz == 250000 && m.config().syncWord == 0x2B);
  host(m, configureMsg(868100000, 123456, 11, 5, 20, 0x2B, 10), 3);  // no such bandwidth
  Bytes e = hal.take(proto::ERROR);
  CHECK(e.size() == 3 && e[1] == proto::CONFIGURE && e[2] == proto::E_PARAM);
  CHECK(m.config().bwHz == 250000);  // unchanged
  host(m, configureMsg(868100000, 125000, 13, 5, 20, 0x2B, 10), 3);  // SF13 does not exist
  CHECK(hal.take(proto::ERROR).size() == 3);
  hal.radioOk = false;
  host(m, configureMsg(868100000, 125000, 7, 5, 20, 0x2B, 10), 3);
  e = hal.take(proto::ERROR);
  CHECK(e.size() == 3 && e[2] == proto::E_RADIO);
  host(m, {0x7E}, 4);
  e = hal.take(proto::ERROR);
  CHECK(e.size() == 3 && e[2] == proto::E_UNKNOWN);
}

static void testSendQueueAndBackPressure() {
  FakeHal hal;
  ModemCore m(hal, 1);
  m.begin(0);
  host(m, sendMsg(100, {1, 2, 3}), 10);
  Bytes a = hal.take(proto::ACCEPTED);
  CHECK(a.size() == 7 && proto::get32(&a[1]) == 100);
  CHECK(hal.sent.size() == 1 && hal.sent[0] == Bytes({1, 2, 3}));
  CHECK(m.radioBusy());
  // fill the queue while the radio is busy: the transmitting packet holds one slot
  for (uint32_t t = 101; t < 101 + ModemCore::kTxSlots - 1; t++) {
    host(m, sendMsg(t, {uint8_t(t)}), 11);
    CHECK(hal.take(proto::ACCEPTED).size() == 7);
  }
  host(m, sendMsg(999, {9}), 12);
  Bytes full = hal.take(proto::QUEUE_FULL);
  CHECK(full.size() == 7 && proto::get32(&full[1]) == 999 && full[5] == ModemCore::kTxSlots);
  CHECK(m.stats().queueFull == 1);
  // a resend of an accepted tag (reply lost on the cable) is acknowledged again but not queued twice
  host(m, sendMsg(105, {105}), 13);
  Bytes dup = hal.take(proto::ACCEPTED);
  CHECK(dup.size() == 7 && proto::get32(&dup[1]) == 105);
  CHECK(m.stats().duplicates == 1);
  // transmit everything
  uint32_t now = 100;
  while (m.radioBusy()) m.onTransmitDone(now += 50);
  CHECK(hal.sent.size() == ModemCore::kTxSlots);
  CHECK(hal.count(proto::TX_DONE) == ModemCore::kTxSlots);
  Bytes done = hal.take(proto::TX_DONE);
  CHECK(proto::get32(&done[1]) == 100 && proto::get32(&done[5]) > 0);
  // order preserved
  for (size_t i = 1; i < hal.sent.size(); i++) CHECK(hal.sent[i][0] == uint8_t(100 + i));
  // too large and too small
  host(m, sendMsg(5000, Bytes(256, 1)), now);
  CHECK(hal.take(proto::ERROR).size() == 3);
  host(m, {proto::SEND, 0, 0}, now);
  CHECK(hal.take(proto::ERROR).size() == 3);
}

static void testDutyCycleHoldsQueue() {
  FakeHal hal;
  ModemCore m(hal, 1);
  m.begin(0);
  // SF12 / 125 kHz, 0.1 %: 3.6 s an hour, a 200-byte packet takes 7.2 s
  host(m, configureMsg(869525000, 125000, 12, 5, 14, 0x12, 1), 0);
  host(m, sendMsg(1, Bytes(20, 1)), 0);   // 1.32 s
  host(m, sendMsg(2, Bytes(20, 2)), 0);   // 1.32 s
  host(m, sendMsg(3, Bytes(20, 3)), 0);   // would exceed 3.6 s
  m.onTransmitDone(1400);
  m.onTransmitDone(2800);
  m.poll(3000);
  CHECK(hal.sent.size() == 2);
  CHECK(!m.radioBusy() && m.queued() == 1);
  host(m, {proto::STATUS}, 3000);
  Bytes s = hal.take(proto::STATUS_OK);
  CHECK(s.size() == 36);
  CHECK(s[1] == 1 && proto::get32(&s[3]) == 2 * 1319 && proto::get16(&s[11]) == 1);
  CHECK(int16_t(proto::get16(&s[13])) == 312);
  CHECK(proto::get32(&s[15]) == 2);
  m.poll(DutyCycle::kWindowMs + DutyCycle::kBucketMs);  // an hour later
  CHECK(hal.sent.size() == 3);
}

static Bytes rxAck(uint16_t seq) {
  Bytes m = {proto::RX_ACK, 0, 0};
  proto::put16(&m[1], seq);
  return m;
}

static void testReceiveReliable() {
  FakeHal hal;
  ModemCore m(hal, 1);
  m.begin(0);
  const uint8_t p1[] = {0xAA}, p2[] = {0xBB, 0}, p3[] = {0xCC};
  m.onRadioReceived(p1, 1, -90, -22, 10);
  m.onRadioReceived(p2, 2, -91, 8, 11);
  CHECK(hal.count(proto::RX) == 2);
  Bytes r = hal.take(proto::RX);
  CHECK(r.size() == 7 && proto::get16(&r[1]) == 0 && int16_t(proto::get16(&r[3])) == -90 && int8_t(r[5]) == -22 &&
        r[6] == 0xAA);
  hal.out.clear();
  host(m, rxAck(0), 20);
  CHECK(m.rxPending() == 1);
  // the host reconnects before acking seq 1: HELLO names it as the oldest pending and replays it
  host(m, {proto::HELLO}, 30);
  Bytes h = hal.take(proto::HELLO_OK);
  CHECK(h.size() == 12 && proto::get16(&h[10]) == 1);
  r = hal.take(proto::RX);
  CHECK(r.size() == 8 && proto::get16(&r[1]) == 1);
  host(m, rxAck(1), 40);
  CHECK(m.rxPending() == 0);
  // no ack at all: replayed after the timeout
  m.onRadioReceived(p3, 1, -80, 4, 50);
  hal.out.clear();
  m.poll(60);
  CHECK(hal.count(proto::RX) == 0);
  m.poll(50 + ModemCore::kRxReplayMs + 1);
  r = hal.take(proto::RX);
  CHECK(r.size() == 7 && proto::get16(&r[1]) == 2);
  host(m, rxAck(2), 400);
  // overflow while the host is away: counted, the oldest kept
  for (size_t i = 0; i < ModemCore::kRxSlots + 3; i++) m.onRadioReceived(p1, 1, -80, 4, 500);
  CHECK(m.rxPending() == ModemCore::kRxSlots);
  CHECK(m.stats().rxDropped == 3);
}

static void testGarbageBetweenCommands() {
  FakeHal hal;
  ModemCore m(hal, 1);
  m.begin(0);
  Bytes stream = {0xFF, 0x12, 0x00};
  Bytes a = frame(sendMsg(1, {1})), b = frame(sendMsg(2, {2}));
  stream.insert(stream.end(), a.begin(), a.end());
  stream.insert(stream.end(), {0x05, 0x01, 0x02, 0x00});  // truncated / malformed
  Bytes half(b.begin(), b.begin() + 4);
  stream.insert(stream.end(), half.begin(), half.end());
  stream.push_back(0);  // cut short
  stream.insert(stream.end(), b.begin(), b.end());
  m.onSerialBytes(stream.data(), stream.size(), 1);
  CHECK(hal.count(proto::ACCEPTED) == 2);
  CHECK(m.stats().serialRejects == 3);
}

int main(int argc, char** argv) {
  vectorsDir = argc > 1 ? argv[1] : "test/vectors";
  testFramingVectors();
  testDecoderRejects();
  testAirtimeVectors();
  testDutyCycle();
  testBootHelloConfigure();
  testSendQueueAndBackPressure();
  testDutyCycleHoldsQueue();
  testReceiveReliable();
  testGarbageBetweenCommands();
  printf("%d checks, %d failures\n", checks, failures);
  if (failures == 0) printf("ALL TESTS PASSED\n");
  return failures ? 1 : 0;
}
