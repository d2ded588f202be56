// Murmur LoRa modem firmware: binds the portable modem core (lib/modem_core) to an Arduino board, its USB
// serial port and an SX1262 / SX1276 radio through RadioLib. Everything the host sees — protocol, queue,
// duty-cycle accounting, reliable delivery of received packets — is in the core, tested on the host.
#include <Arduino.h>
#include <RadioLib.h>
#include <SPI.h>

#include "modem_core.h"

using namespace murmur;

#if defined(MURMUR_SPI1)
static SPIClass& radioSpi = SPI1;
#else
static SPIClass& radioSpi = SPI;
#endif

#if defined(MURMUR_SX1262)
static SX1262 radio = new Module(PIN_NSS, PIN_DIO1, PIN_RST, PIN_BUSY, radioSpi);
#elif defined(MURMUR_SX1276)
static SX1276 radio = new Module(PIN_NSS, PIN_DIO0, PIN_RST, PIN_DIO1, radioSpi);
#else
#error "define MURMUR_SX1262 or MURMUR_SX1276 (see platformio.ini)"
#endif

#ifndef TCXO_VOLTAGE
#define TCXO_VOLTAGE 0
#endif

// Set from the radio's interrupt: a packet arrived (when receiving) or the transmission ended.
static volatile bool radioIrq = false;
#if defined(ESP32)
static void IRAM_ATTR onRadioIrq() { radioIrq = true; }
#else
static void onRadioIrq() { radioIrq = true; }
#endif

static uint32_t bootRandom() {
#if defined(ESP32)
  return esp_random();
#elif defined(ARDUINO_ARCH_RP2040)
  return rp2040.hwrand32();
#else
  return uint32_t(micros()) * 2654435761u;
#endif
}

class BoardHal : public ModemHal {
 public:
  bool transmitting = false;
  bool radioReady = false;

  void serialWrite(const uint8_t* data, size_t len) override {
    // Never block the radio loop on a host that is not reading: drop what does not fit, the host's
    // acknowledgements and our replays recover it.
    if (!Serial || size_t(Serial.availableForWrite()) < len) return;
    Serial.write(data, len);
  }

  bool radioConfigure(const RadioConfig& c) override {
    int16_t st = RADIOLIB_ERR_NONE;
    if (!radioReady) {
#if defined(MURMUR_SX1262)
      st = radio.begin(c.freqHz / 1e6f, c.bwHz / 1e3f, c.sf, c.cr, c.syncWord, c.powerDbm, 8, TCXO_VOLTAGE);
#else
      st = radio.begin(c.freqHz / 1e6f, c.bwHz / 1e3f, c.sf, c.cr, c.syncWord, c.powerDbm, 8);
#endif
      if (st != RADIOLIB_ERR_NONE) return false;
      radio.setPacketReceivedAction(onRadioIrq);
      radioReady = true;
    } else {
      radio.standby();
      if (radio.setFrequency(c.freqHz / 1e6f) != RADIOLIB_ERR_NONE) return false;
      if (radio.setBandwidth(c.bwHz / 1e3f) != RADIOLIB_ERR_NONE) return false;
      if (radio.setSpreadingFactor(c.sf) != RADIOLIB_ERR_NONE) return false;
      if (radio.setCodingRate(c.cr) != RADIOLIB_ERR_NONE) return false;
      if (radio.setOutputPower(c.powerDbm) != RADIOLIB_ERR_NONE) return false;
      if (radio.setSyncWord(c.syncWord) != RADIOLIB_ERR_NONE) return false;
    }
    radio.setCRC(true);
    transmitting = false;
    return radio.startReceive() == RADIOLIB_ERR_NONE;
  }

  bool radioTransmit(const uint8_t* data, size_t len) override {
    radioIrq = false;
    transmitting = radio.startTransmit(const_cast<uint8_t*>(data), len) == RADIOLIB_ERR_NONE;
    if (!transmitting) radio.startReceive();
    return transmitting;
  }

  int16_t temperatureDeciC() override {
#if defined(ESP32)
    return int16_t(temperatureRead() * 10);
#elif defined(ARDUINO_ARCH_RP2040)
    return int16_t(analogReadTemp() * 10);
#else
    return 0;
#endif
  }
};

static BoardHal hal;
static ModemCore* core = nullptr;

void setup() {
  Serial.begin(115200);
#if defined(MURMUR_SPI1)
  radioSpi.setSCK(PIN_SCK);
  radioSpi.setTX(PIN_MOSI);
  radioSpi.setRX(PIN_MISO);
  radioSpi.begin();
#else
  radioSpi.begin(PIN_SCK, PIN_MISO, PIN_MOSI, PIN_NSS);
#endif
  static ModemCore instance(hal, bootRandom());
  core = &instance;
  core->begin(millis());
}

void loop() {
  uint8_t buf[256];
  size_t n = 0;
  while (Serial.available() && n < sizeof buf) buf[n++] = uint8_t(Serial.read());
  if (n) core->onSerialBytes(buf, n, millis());

  if (radioIrq) {
    radioIrq = false;
    if (hal.transmitting) {
      hal.transmitting = false;
      radio.finishTransmit();
      radio.startReceive();
      core->onTransmitDone(millis());
    } else {
      size_t len = radio.getPacketLength();
      uint8_t pkt[255];
      if (len > 0 && len <= sizeof pkt && radio.readData(pkt, len) == RADIOLIB_ERR_NONE) {
        const int16_t rssi = int16_t(radio.getRSSI());
        const int8_t snrQ = int8_t(radio.getSNR() * 4);
        core->onRadioReceived(pkt, len, rssi, snrQ, millis());
      }
      radio.startReceive();
    }
  }
  core->poll(millis());
}
