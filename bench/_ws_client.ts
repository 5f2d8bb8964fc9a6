// A bare WebSocket client on a raw TCP socket, for benchmarks: reads many frames per read() call,
// so thousands of clients in one process cost far less than the WebSocket class's per-message events.
import type { ReceiverSpec } from "./_go_receiver.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RawWs {
  send(text: string): void;
  close(): void;
  /** Resolves when the server closed the connection (or it failed). */
  closed: Promise<void>;
}

/** A masked client frame (the mask key is zero, so the payload goes as is: allowed, and cheap). */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65536) {
    out[1] = 0x80 | 126;
    new DataView(out.buffer).setUint16(2, length);
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(length));
  }
  out.set(payload, head + 4);
  return out;
}

/** Opens `ws://127.0.0.1:port/path` and calls `onText` for every text message. */
export async function openRawWs(
  port: number,
  path: string,
  headers: Record<string, string>,
  onText: (text: string, ws: RawWs) => void,
): Promise<RawWs> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(encoder.encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  ));
  let open = true;
  const writes: Uint8Array[] = [];
  let writing = false;
  const write = (bytes: Uint8Array) => {
    writes.push(bytes);
    if (writing) return;
    writing = true;
    (async () => {
      while (writes.length && open) await conn.write(writes.shift()!).catch(() => (open = false));
      writing = false;
    })();
  };
  const ws: RawWs = {
    send: (text) => open && write(frame(1, encoder.encode(text))),
    close() {
      if (!open) return;
      open = false;
      try {
        conn.close();
      } catch { /* already closed */ }
    },
    closed: Promise.resolve(),
  };

  const buffer = new Uint8Array(16 * 1024);
  let pending = new Uint8Array(0);
  let upgraded = false;
  ws.closed = (async () => {
    try {
      while (open) {
        const n = await conn.read(buffer);
        if (n === null) break;
        let data = buffer.subarray(0, n);
        if (pending.length) {
          const joined = new Uint8Array(pending.length + n);
          joined.set(pending);
          joined.set(data, pending.length);
          data = joined;
        }
        let at = 0;
        if (!upgraded) {
          const text = decoder.decode(data);
          const end = text.indexOf("\r\n\r\n");
          if (end < 0) {
            pending = data.slice();
            continue;
          }
          if (!text.startsWith("HTTP/1.1 101")) throw new Error(text.split("\r\n")[0]);
          upgraded = true;
          at = encoder.encode(text.slice(0, end + 4)).length;
        }
        while (data.length - at >= 2) {
          const opcode = data[at] & 0x0f;
          let length = data[at + 1] & 0x7f;
          let head = 2;
          if (length === 126) {
            if (data.length - at < 4) break;
            length = (data[at + 2] << 8) | data[at + 3];
            head = 4;
          } else if (length === 127) {
            if (data.length - at < 10) break;
            length = Number(new DataView(data.buffer, data.byteOffset + at + 2, 8).getBigUint64(0));
            head = 10;
          }
          if (data.length - at < head + length) break;
          const payload = data.subarray(at + head, at + head + length);
          at += head + length;
          if (opcode === 1) onText(decoder.decode(payload), ws);
          else if (opcode === 9) write(frame(10, payload.slice()));
          else if (opcode === 8) open = false;
        }
        pending = at < data.length ? data.slice(at) : new Uint8Array(0);
      }
    } catch { /* reset by peer: treated as closed */ }
    ws.close();
  })();
  return ws;
}

/** One system under test in a fan-out bench: how to connect a receiving client and how to send. */
export interface FanoutTarget {
  name: string;
  pid: number;
  /** How bench/_go_receiver.ts's clients join (bench/ws_fanout_go.ts). */
  receiver?: ReceiverSpec;
  connect(onMessage: (frame: string) => void): Promise<RawWs>;
  /** False when the message could not be sent now (too many requests in flight). */
  send(content: string): boolean;
  close(): Promise<void>;
}

/** The pid listening on a TCP port (from `ss`), e.g. a Node or nginx child of a wrapper. */
export async function findPid(port: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const out = await new Deno.Command("ss", { args: ["-ltnpH", `sport = :${port}`] }).output();
    const match = new TextDecoder().decode(out.stdout).match(/pid=(\d+)/);
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Cannot find the pid listening on port ${port}`);
}
