// Builders for the protocol control, user control and command messages a server sends.
import type { RtmpMessage } from "./chunk_reader.ts";
import { type Amf0Value, encodeAmf0 } from "./amf0.ts";

export const MSG = {
  setChunkSize: 1,
  abort: 2,
  ack: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  commandAmf3: 17,
  dataAmf0: 18,
  commandAmf0: 20,
} as const;

/** Chunk stream ids we write on: control on 2 (the spec's), commands on 3, stream status on 5. */
export const CSID = { control: 2, command: 3, status: 5 } as const;

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

function control(typeId: number, payload: Uint8Array): RtmpMessage {
  return { csid: CSID.control, typeId, streamId: 0, timestamp: 0, payload };
}

export function windowAckSize(size: number): RtmpMessage {
  return control(MSG.windowAckSize, u32(size));
}

/** Limit type 2 (dynamic), as common servers send. */
export function setPeerBandwidth(size: number): RtmpMessage {
  const p = new Uint8Array(5);
  p.set(u32(size));
  p[4] = 2;
  return control(MSG.setPeerBandwidth, p);
}

export function acknowledgement(bytesReceived: number): RtmpMessage {
  return control(MSG.ack, u32(bytesReceived));
}

function userControl(event: number, value: number): RtmpMessage {
  const p = new Uint8Array(6);
  p[1] = event;
  p.set(u32(value), 2);
  return control(MSG.userControl, p);
}

export function streamBegin(streamId: number): RtmpMessage {
  return userControl(0, streamId);
}

export function pingResponse(timestamp: number): RtmpMessage {
  return userControl(7, timestamp);
}

/** An AMF0 command on the command chunk stream (stream 0) or the status stream. */
export function command(values: Amf0Value[], streamId = 0): RtmpMessage {
  return {
    csid: streamId === 0 ? CSID.command : CSID.status,
    typeId: MSG.commandAmf0,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(values),
  };
}

export function onStatus(
  streamId: number,
  level: "status" | "error",
  code: string,
  description: string,
): RtmpMessage {
  return command(["onStatus", 0, null, { level, code, description }], streamId);
}
