// @meshtastic/protobufs 2.7.x names ./dist/mod.d.ts as its types, but ships them as a hashed file: point the
// compiler at it (types only; the runtime import resolves normally).
declare module '@meshtastic/protobufs' {
  export * from '@meshtastic/protobufs/dist/mod-D6ytgKaP.js';
}
