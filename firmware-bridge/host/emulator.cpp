// Host emulator of the Murmur LoRa modem: the portable modem core (lib/modem_core) served on a serial
// device (one end of a pseudo-terminal pair) or on stdin/stdout, with the radio replaced by UDP datagrams
// on loopback. Emulators that list each other as peers hear each other's transmissions.
//
//   murmur-modem-emu --serial /tmp/m1 --udp-port 47001 --peer 47002 [--time-scale 50] [--boot-id N]
//
// The serial device may vanish and come back (a pty pair torn down and recreated): the emulator keeps
// its queue and radio running and reopens the path, like a modem with its own power on a flaky cable.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "airtime.h"
#include "modem_core.h"

using namespace murmur;

static uint64_t nowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
}

static uint32_t nowMs() { return uint32_t(nowUs() / 1000); }

static const uint8_t kMagic[4] = {'M', 'R', 'F', '1'};
static const size_t kRadioHeader = 4 + 4 + 4 + 3;

struct Options {
  std::string serial;
  bool stdio = false;
  int udpPort = 0;
  std::vector<int> peers;
  double timeScale = 1.0;
  uint32_t bootId = 0;
  int16_t rssi = -70;
  int8_t snrQ = 38;  // 9.5 dB
  bool verbose = false;
};

class Emulator : public ModemHal {
 public:
  explicit Emulator(const Options& o) : opt_(o) {}

  int run() {
    udp_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(opt_.udpPort));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (udp_ < 0 || bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      perror("emulator: udp bind");
      return 1;
    }
    if (opt_.stdio) {
      in_ = 0;
      out_ = 1;
      fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
      fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
    } else {
      tryOpen();
    }
    core_ = new ModemCore(*this, opt_.bootId);
    core_->begin(nowMs());
    fprintf(stderr, "emulator: ready udp=%d serial=%s boot=%u\n", opt_.udpPort,
            opt_.stdio ? "stdio" : opt_.serial.c_str(), opt_.bootId);
    uint32_t lastOpenTry = nowMs();
    for (;;) {
      pollfd fds[3];
      int n = 0;
      fds[n++] = {udp_, POLLIN, 0};
      int serialIdx = -1, outIdx = -1;
      if (in_ >= 0) {
        serialIdx = n;
        fds[n++] = {in_, short(POLLIN | (out_ == in_ && !outBuf_.empty() ? POLLOUT : 0)), 0};
      }
      if (out_ >= 0 && out_ != in_ && !outBuf_.empty()) {
        outIdx = n;
        fds[n++] = {out_, POLLOUT, 0};
      }
      // Sleep until input, the end of the transmission in progress (microsecond precision: at high time
      // scales a packet lasts well under a millisecond), or 20 ms for housekeeping.
      int64_t waitUs = 20000;
      if (txBusy_) {
        int64_t left = int64_t(txEndUs_) - int64_t(nowUs());
        waitUs = left < 0 ? 0 : (left < waitUs ? left : waitUs);
      }
      timespec ts{time_t(waitUs / 1000000), long(waitUs % 1000000) * 1000};
      ppoll(fds, nfds_t(n), &ts, nullptr);
      uint32_t now = nowMs();
      if (fds[0].revents & POLLIN) readRadio(now);
      if (serialIdx >= 0 && fds[serialIdx].revents) {
        if (fds[serialIdx].revents & POLLIN || fds[serialIdx].revents & (POLLHUP | POLLERR)) readSerial(now);
        if (in_ >= 0 && fds[serialIdx].revents & POLLOUT) flush();
      }
      if (outIdx >= 0 && fds[outIdx].revents) flush();
      if (opt_.stdio && in_ < 0) return 0;  // stdin closed: the host went away for good
      if (txBusy_ && nowUs() >= txEndUs_) finishTransmit();
      core_->poll(nowMs());
      if (in_ < 0 && !opt_.stdio && nowMs() - lastOpenTry >= 20) {
        lastOpenTry = nowMs();
        tryOpen();
      }
      if (!outBuf_.empty()) flush();
    }
  }

  // --- ModemHal
  void serialWrite(const uint8_t* data, size_t len) override {
    if (out_ < 0) return;  // unplugged: the bytes are gone, as on a real USB port
    if (outBuf_.size() + len > kMaxOut) return;
    outBuf_.insert(outBuf_.end(), data, data + len);
  }
  bool radioConfigure(const RadioConfig& c) override {
    cfg_ = c;
    return true;
  }
  bool radioTransmit(const uint8_t* data, size_t len) override {
    if (txBusy_) return false;
    txFrame_.assign(kMagic, kMagic + 4);
    uint8_t h[11];
    proto::put32(h, cfg_.freqHz);
    proto::put32(h + 4, cfg_.bwHz);
    h[8] = cfg_.sf;
    h[9] = cfg_.cr;
    h[10] = cfg_.syncWord;
    txFrame_.insert(txFrame_.end(), h, h + 11);
    txFrame_.insert(txFrame_.end(), data, data + len);
    const double airUs = loraAirtimeUs(uint32_t(len), cfg_.sf, cfg_.bwHz, cfg_.cr) / opt_.timeScale;
    txEndUs_ = nowUs() + uint64_t(airUs);
    txBusy_ = true;
    return true;
  }
  int16_t temperatureDeciC() override { return 250; }

 private:
  static constexpr size_t kMaxOut = 1 << 20;

  void tryOpen() {
    int fd = open(opt_.serial.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return;
    termios t;
    if (tcgetattr(fd, &t) == 0) {
      cfmakeraw(&t);
      tcsetattr(fd, TCSANOW, &t);
    }
    in_ = out_ = fd;
    outBuf_.clear();
    if (opt_.verbose) fprintf(stderr, "emulator: serial %s open\n", opt_.serial.c_str());
  }

  void closeSerial() {
    if (in_ >= 0 && !opt_.stdio) close(in_);
    in_ = out_ = -1;
    outBuf_.clear();
    if (opt_.verbose) fprintf(stderr, "emulator: serial closed\n");
  }

  void readSerial(uint32_t now) {
    uint8_t buf[4096];
    for (;;) {
      ssize_t r = read(in_, buf, sizeof buf);
      if (r > 0) {
        core_->onSerialBytes(buf, size_t(r), now);
        continue;
      }
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
      closeSerial();  // EOF or EIO: the other end of the pty pair is gone
      return;
    }
  }

  void flush() {
    while (out_ >= 0 && !outBuf_.empty()) {
      ssize_t w = write(out_, outBuf_.data(), outBuf_.size());
      if (w > 0) {
        outBuf_.erase(outBuf_.begin(), outBuf_.begin() + w);
        continue;
      }
      if (w < 0 && (errno == EAGAIN || errno == EINTR)) return;
      closeSerial();
      return;
    }
  }

  void readRadio(uint32_t now) {
    uint8_t buf[2048];
    for (;;) {
      ssize_t r = recv(udp_, buf, sizeof buf, 0);
      if (r < 0) return;
      if (size_t(r) <= kRadioHeader || memcmp(buf, kMagic, 4) != 0) continue;
      // A receiver only hears transmissions on its own channel, spreading factor, bandwidth and sync word.
      if (proto::get32(buf + 4) != cfg_.freqHz || proto::get32(buf + 8) != cfg_.bwHz || buf[12] != cfg_.sf ||
          buf[14] != cfg_.syncWord)
        continue;
      core_->onRadioReceived(buf + kRadioHeader, size_t(r) - kRadioHeader, opt_.rssi, opt_.snrQ, now);
    }
  }

  void finishTransmit() {
    for (int p : opt_.peers) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(uint16_t(p));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      sendto(udp_, txFrame_.data(), txFrame_.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    txBusy_ = false;
    core_->onTransmitDone(nowMs());
  }

  Options opt_;
  ModemCore* core_ = nullptr;
  RadioConfig cfg_;
  int udp_ = -1, in_ = -1, out_ = -1;
  std::vector<uint8_t> outBuf_;
  std::vector<uint8_t> txFrame_;
  bool txBusy_ = false;
  uint64_t txEndUs_ = 0;
};

static void usage() {
  fprintf(stderr,
          "usage: murmur-modem-emu (--serial PATH | --stdio) --udp-port N [--peer N]... [--time-scale K]\n"
          "                        [--boot-id N] [--rssi DBM] [--snr DB] [--verbose]\n");
  exit(2);
}

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test or tool that started us
  Options o;
  o.bootId = uint32_t(getpid()) ^ (nowMs() << 8);
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--serial") o.serial = next();
    else if (a == "--stdio") o.stdio = true;
    else if (a == "--udp-port") o.udpPort = atoi(next());
    else if (a == "--peer") o.peers.push_back(atoi(next()));
    else if (a == "--time-scale") o.timeScale = atof(next());
    else if (a == "--boot-id") o.bootId = uint32_t(strtoul(next(), nullptr, 0));
    else if (a == "--rssi") o.rssi = int16_t(atoi(next()));
    else if (a == "--snr") o.snrQ = int8_t(atof(next()) * 4);
    else if (a == "--verbose") o.verbose = true;
    else usage();
  }
  if ((o.serial.empty() && !o.stdio) || o.udpPort <= 0 || o.timeScale <= 0) usage();
  Emulator e(o);
  return e.run();
}
