/**
 * The console and the message buffer: kernel output goes to the host console byte by byte
 * (rumpuser_putchar) and is kept in a bounded message buffer that `dmesg()` returns.
 */
import type { Host } from '@rump/hypercall';
import { utf8 } from './kdata.js';

const MSGBUF_SIZE = 1 << 20;

export class Console {
  private msgbuf: number[] = [];

  constructor(private readonly host: Host) {}

  /** Prints to the console (and the message buffer); `toConsole` false logs only (TOLOG). */
  write(bytes: readonly number[] | Uint8Array, toConsole = true): void {
    for (const b of bytes) {
      if (toConsole) this.host.putchar(b);
      this.msgbuf.push(b);
    }
    if (this.msgbuf.length > MSGBUF_SIZE) this.msgbuf = this.msgbuf.slice(-MSGBUF_SIZE / 2);
  }

  print(text: string): void {
    this.write(utf8(text));
  }

  /** Everything printed so far (the tail when it overflowed). */
  dmesg(): string {
    return new TextDecoder().decode(Uint8Array.from(this.msgbuf));
  }
}
