// The client's body as the host delivers it: Envoy calls proxy_on_request_body with the whole buffer so far
// each time a piece arrives, APISIX once with all of it. Each new piece is read once and hashed at once for
// SigV4, so when the last one comes only it is left to hash; the pieces are kept when the request to the
// function carries them (a callout, an Invoke event), not when the host forwards its own copy (proxy mode).
import { getBuffer } from "../abi/host";
import { BufferType } from "../abi/types";
import { Sha256 } from "../crypto/sha256";
import { ByteBuffer } from "../kernel/byte-buffer";
import { toHex } from "../kernel/hex";

const NO_BYTES = new ArrayBuffer(0);

export class RequestBody {
  private hasher: Sha256 | null;
  /** The first piece as the host handed it over: the whole body when it came at once. */
  private first: ArrayBuffer = NO_BYTES;
  /** The pieces joined, once a second one came. */
  private joined: ByteBuffer | null = null;
  /** Bytes of the host's buffer read so far. */
  private received: usize = 0;

  /**
   * `hash`: SHA-256 the bytes (SigV4); `keep`: keep them for sending; `declared`: the client's
   * Content-Length (-1 when unknown), to size the buffer once the body comes in more than one piece.
   */
  constructor(hash: bool, private readonly keep: bool, private readonly declared: i64) {
    this.hasher = hash ? new Sha256() : null;
  }

  /** Reads, hashes and keeps bytes [read so far, `size`) of the host's buffer; "" when done, else what failed. */
  take(size: usize): string {
    const start = this.received;
    if (size < start) return "the host's body shrank from " + start.toString() + " to " + size.toString() + " bytes";
    if (size == start || (!this.keep && this.hasher == null)) return "";
    const piece = getBuffer(BufferType.HttpRequestBody, <u32>start, <u32>(size - start));
    if (<usize>piece.byteLength != size - start) {
      // Never send a truncated or empty body in place of the client's.
      return "the host handed over " + (start + <usize>piece.byteLength).toString() + " of " + size.toString() + " body bytes";
    }
    const hasher = this.hasher;
    if (hasher != null) hasher.update(piece);
    if (this.keep) this.append(piece);
    this.received = size;
    return "";
  }

  private append(piece: ArrayBuffer): void {
    if (this.received == 0) {
      this.first = piece;
      return;
    }
    let joined = this.joined;
    if (joined == null) {
      // Room for the declared length saves regrowing (and a copy of all so far in the last callback), but
      // at most 16× what came: a client that declares much and sends little does not get it reserved.
      const sofar = <i64>(this.first.byteLength + piece.byteLength);
      const room = max<i64>(sofar << 1, min<i64>(this.declared, sofar << 4));
      joined = new ByteBuffer(<i32>min<i64>(room, 0x3fffffff));
      joined.writeBytes(changetype<usize>(this.first), this.first.byteLength);
      this.first = NO_BYTES;
      this.joined = joined;
    }
    joined.writeBytes(changetype<usize>(piece), piece.byteLength);
  }

  /** The whole body kept (empty when not kept), handed over once at end of stream. */
  bytes(): ArrayBuffer {
    const joined = this.joined;
    if (joined == null) return this.first;
    this.joined = null;
    return joined.take();
  }

  /** Hex SHA-256 of every byte read ("" when not hashing); the hasher is dropped. */
  payloadHash(): string {
    const hasher = this.hasher;
    if (hasher == null) return "";
    this.hasher = null;
    return toHex(hasher.digest());
  }
}
