// One RTMP publisher connection as a pure state machine: bytes in, replies and media out, no sockets.
import { type Amf0Object, decodeAmf0 } from "./amf0.ts";
import { ChunkReader, type ChunkReaderOptions, type RtmpMessage } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { C0C1_SIZE, C2_SIZE, serverHandshake } from "./handshake.ts";
import * as m from "./messages.ts";

/** Thrown for protocol violations above the chunk layer; the connection should close. */
export class SessionError extends Error {
  override name = "SessionError";
}

export type PublishDecision =
  | { ok: true }
  | { ok: false; code: string; description: string };

/** What the session needs from its connection; it calls nothing else. */
export interface SessionHandler {
  send(bytes: Uint8Array): void;
  /** Close the connection after what was sent is flushed. */
  close(reason: string): void;
  /** Decide on a publish; the key has its `?query` stripped. */
  authorize(key: string): Promise<PublishDecision>;
  /** Audio (typeId 8) and video (typeId 9) of the live publish. */
  onMedia(msg: RtmpMessage): void;
  /** AMF0 script data whose first value is "onMetaData" (the @setDataFrame wrapper stripped). */
  onMetadata(payload: Uint8Array, timestamp: number): void;
  /** The publish that `authorize` allowed has ended (unpublish, deleteStream or connection end). */
  onUnpublish(): void;
}

export interface SessionOptions extends ChunkReaderOptions {
  /** The only application name accepted. @default "live" */
  app?: string;
  /** Chunk size we send with. @default 4096 */
  outChunkSize?: number;
  /** Window we ask the peer to acknowledge. @default 2500000 */
  windowAckSize?: number;
  /**
   * Largest message before a publish is authorized: commands are small, and a peer without a key
   * must not make us hold `maxMessageLength` per chunk stream. @default 64 KiB
   */
  maxMessageLengthBeforePublish?: number;
}

export type SessionState =
  | "handshake"
  | "handshake-c2"
  | "connecting"
  | "connected"
  | "authorizing"
  | "publishing"
  | "closed";

const SET_DATA_FRAME = Uint8Array.of(
  0x02,
  0x00,
  0x0d,
  ...new TextEncoder().encode("@setDataFrame"),
);
const ON_META_DATA = Uint8Array.of(0x02, 0x00, 0x0a, ...new TextEncoder().encode("onMetaData"));

export class RtmpSession {
  state: SessionState = "handshake";
  #handshake = new Uint8Array(C0C1_SIZE);
  #handshakeLen = 0;
  #reader: ChunkReader;
  #writer = new ChunkWriter();
  #received = 0;
  #lastAck = 0;
  #peerWindow = 0;
  #nextStreamId = 1;
  #publishStreamId = 0;
  #app: string;
  #outChunkSize: number;
  #windowAckSize: number;
  #publishMessageLength: number;
  #commandMessageLength: number;

  constructor(private handler: SessionHandler, options: SessionOptions = {}) {
    this.#reader = new ChunkReader(options);
    this.#publishMessageLength = this.#reader.maxMessageLength;
    this.#commandMessageLength = Math.min(
      options.maxMessageLengthBeforePublish ?? 64 * 1024,
      this.#publishMessageLength,
    );
    this.#reader.maxMessageLength = this.#commandMessageLength;
    this.#app = options.app ?? "live";
    this.#outChunkSize = options.outChunkSize ?? 4096;
    this.#windowAckSize = options.windowAckSize ?? 2_500_000;
  }

  /** Feed received bytes. Throws ChunkError, Amf0Error, HandshakeError or SessionError. */
  feed(bytes: Uint8Array): void {
    if (this.state === "closed") return;
    let at = 0;
    while (at < bytes.length && (this.state === "handshake" || this.state === "handshake-c2")) {
      const size = this.state === "handshake" ? C0C1_SIZE : C2_SIZE;
      const n = Math.min(size - this.#handshakeLen, bytes.length - at);
      if (this.state === "handshake") {
        this.#handshake.set(bytes.subarray(at, at + n), this.#handshakeLen);
      }
      this.#handshakeLen += n;
      at += n;
      if (this.#handshakeLen < size) return;
      this.#handshakeLen = 0;
      if (this.state === "handshake") {
        this.handler.send(serverHandshake(this.#handshake, { time: Date.now() }));
        this.state = "handshake-c2";
      } else {
        this.state = "connecting"; // C2 content is not checked: clients fill it inconsistently
      }
    }
    if (at >= bytes.length) return;
    const rest = bytes.subarray(at);
    this.#received = (this.#received + rest.length) >>> 0;
    for (const msg of this.#reader.push(rest)) {
      if ((this.state as SessionState) === "closed") return; // a reply may have closed us
      this.#onMessage(msg);
    }
    if (this.#peerWindow > 0 && ((this.#received - this.#lastAck) >>> 0) >= this.#peerWindow) {
      this.#lastAck = this.#received;
      this.#send(m.acknowledgement(this.#received));
    }
  }

  /** The connection is gone; release a live publish. */
  end(): void {
    const wasPublishing = this.state === "publishing";
    this.state = "closed";
    if (wasPublishing) this.handler.onUnpublish();
  }

  #send(msg: RtmpMessage): void {
    this.handler.send(this.#writer.write(msg));
  }

  #close(reason: string): void {
    this.end();
    this.handler.close(reason);
  }

  #onMessage(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case m.MSG.windowAckSize:
        if (msg.payload.length < 4) throw new SessionError("Cannot read window ack size: short");
        this.#peerWindow = new DataView(msg.payload.buffer, msg.payload.byteOffset).getUint32(0);
        return;
      case m.MSG.userControl:
        return this.#onUserControl(msg.payload);
      case m.MSG.commandAmf0:
        return this.#onCommand(msg);
      case m.MSG.commandAmf3:
        // AMF3 command messages carry AMF0 after one format byte
        return this.#onCommand({ ...msg, payload: msg.payload.subarray(1) });
      case m.MSG.dataAmf0:
        return this.#onData(msg);
      case m.MSG.audio:
      case m.MSG.video:
        if (this.state === "publishing" && msg.streamId === this.#publishStreamId) {
          this.handler.onMedia(msg);
        }
        return;
      default:
        return; // set chunk size and abort were applied by the reader; others need nothing
    }
  }

  #onUserControl(p: Uint8Array): void {
    if (p.length >= 6 && p[0] === 0 && p[1] === 6) {
      this.#send(m.pingResponse(new DataView(p.buffer, p.byteOffset).getUint32(2)));
    }
  }

  #onData(msg: RtmpMessage): void {
    if (this.state !== "publishing") return;
    let p = msg.payload;
    if (startsWith(p, SET_DATA_FRAME)) p = p.subarray(SET_DATA_FRAME.length);
    if (startsWith(p, ON_META_DATA)) this.handler.onMetadata(p, msg.timestamp);
  }

  #onCommand(msg: RtmpMessage): void {
    const values = decodeAmf0(msg.payload);
    const [name, txn, cmdObj] = values;
    if (typeof name !== "string") throw new SessionError("Cannot read command: no name");
    const t = typeof txn === "number" ? txn : 0;
    if (name === "connect") return this.#connect(t, cmdObj);
    if (this.state === "connecting") {
      throw new SessionError(`Cannot run ${name.slice(0, 40)}: not connected`);
    }
    switch (name) {
      case "releaseStream":
        return this.#send(m.command(["_result", t, null, undefined]));
      case "FCPublish":
        return this.#send(m.command(["onFCPublish", 0, null, {
          level: "status",
          code: "NetStream.Publish.Start",
          description: "FCPublish received.",
        }]));
      case "createStream": {
        if (this.#nextStreamId > 8) throw new SessionError("Cannot create stream: too many");
        return this.#send(m.command(["_result", t, null, this.#nextStreamId++]));
      }
      case "publish":
        return this.#publish(msg.streamId, values[3]);
      case "FCUnpublish":
      case "deleteStream":
      case "closeStream":
        if (this.state === "publishing") {
          this.state = "connected";
          this.#reader.maxMessageLength = this.#commandMessageLength;
          this.handler.onUnpublish();
        }
        return;
      default:
        return; // _checkbw, getStreamLength and the like: clients do not wait for them
    }
  }

  #connect(txn: number, cmdObj: unknown): void {
    if (this.state !== "connecting") throw new SessionError("Cannot connect: already connected");
    const raw = cmdObj && typeof cmdObj === "object" ? (cmdObj as Amf0Object).app : undefined;
    const app = typeof raw === "string" ? raw.split("?")[0].replace(/\/+$/, "") : "";
    if (app !== this.#app) {
      this.#send(m.command(["_error", txn, null, {
        level: "error",
        code: "NetConnection.Connect.Rejected",
        description: `Application must be "${this.#app}".`,
      }]));
      return this.#close("wrong app");
    }
    this.state = "connected";
    this.#send(m.windowAckSize(this.#windowAckSize));
    this.#send(m.setPeerBandwidth(this.#windowAckSize));
    this.handler.send(this.#writer.setChunkSize(this.#outChunkSize));
    this.#send(m.command(["_result", txn, { fmsVer: "FMS/3,0,1,123", capabilities: 31 }, {
      level: "status",
      code: "NetConnection.Connect.Success",
      description: "Connection succeeded.",
      objectEncoding: 0,
    }]));
  }

  #publish(streamId: number, rawName: unknown): void {
    if (this.state !== "connected") throw new SessionError(`Cannot publish in state ${this.state}`);
    const key = typeof rawName === "string" ? rawName.split("?")[0] : "";
    if (streamId === 0 || streamId >= this.#nextStreamId) {
      throw new SessionError("Cannot publish: stream was not created");
    }
    this.state = "authorizing";
    this.#publishStreamId = streamId;
    const decide = key === ""
      ? Promise.resolve<PublishDecision>({
        ok: false,
        code: "NetStream.Publish.BadName",
        description: "Stream key is missing.",
      })
      : this.handler.authorize(key).catch((): PublishDecision => ({
        ok: false,
        code: "NetStream.Publish.Failed",
        description: "Publish could not be authorized.",
      }));
    decide.then((d) => {
      if (this.state !== "authorizing") {
        if (d.ok) this.handler.onUnpublish(); // the connection ended while we waited
        return;
      }
      if (!d.ok) {
        this.#send(m.onStatus(streamId, "error", d.code, d.description));
        return this.#close(d.code);
      }
      this.state = "publishing";
      this.#reader.maxMessageLength = this.#publishMessageLength;
      this.#send(m.streamBegin(streamId));
      this.#send(m.onStatus(streamId, "status", "NetStream.Publish.Start", "Publishing."));
    }).catch(() => this.#close("authorize failed")); // a throwing handler must not go unhandled
  }
}

function startsWith(p: Uint8Array, prefix: Uint8Array): boolean {
  if (p.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (p[i] !== prefix[i]) return false;
  return true;
}
