import { describe, expect, it } from 'vitest';
import { checksum, frameLine } from '../gcode/framing.js';
import { createTestHost } from './test-host.js';

function booted(options: Parameters<typeof createTestHost>[0] = {}) {
  const t = createTestHost(options);
  t.clock.advance(1);
  return { ...t, boot: t.lines().length };
}

describe('virtual printer: line numbers and checksums (Marlin get_serial_commands)', () => {
  it('answers a checksum mismatch with Error, Resend and a plain ok, then accepts the resend', () => {
    const t = booted();
    t.sendLine(1, 'G28');
    t.send(`N2 G1 X10*${(checksum('N2 G1 X10') + 1) % 256}`);
    t.sendLine(2, 'G1 X10');
    t.clock.advance(5000);
    expect(t.linesFrom(t.boot)).toEqual([
      'Error:checksum mismatch, Last Line: 1',
      'Resend: 2',
      'ok',
      'ok N1 P15 B2', // the resent N2 is already queued behind G28
      'ok N2 P15 B3',
    ]);
  });

  it('requires a checksum on numbered lines', () => {
    const t = booted();
    t.send('N1 G28');
    t.clock.advance(1);
    expect(t.linesFrom(t.boot)).toEqual([
      'Error:No Checksum with line number, Last Line: 0',
      'Resend: 1',
      'ok',
    ]);
  });

  it('checks the line number before the checksum, as Marlin does', () => {
    const t = booted();
    t.send('N5 G28*0');
    t.clock.advance(1);
    expect(t.linesFrom(t.boot)).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 0',
      'Resend: 1',
      'ok',
    ]);
  });

  it('lets M110 set the line number, numbered or not', () => {
    const t = booted();
    t.sendLine(41, 'M110 N41');
    t.sendLine(42, 'M105');
    t.send('M110 N99');
    t.clock.advance(1);
    t.sendLine(100, 'G90');
    t.clock.advance(1);
    expect(t.linesFrom(t.boot)).toEqual([
      'ok N41 P15 B3',
      'ok T:22.00 /0.00 B:22.00 /0.00 @:0 B@:0',
      'ok P15 B3',
      'ok N100 P15 B3',
    ]);
  });

  it('accepts unnumbered lines without checks', () => {
    const t = booted();
    t.sendLine(1, 'G90');
    t.send('G91');
    t.sendLine(2, 'G90');
    t.clock.advance(1);
    expect(t.linesFrom(t.boot)).toEqual(['ok N1 P15 B3', 'ok P15 B3', 'ok N2 P15 B3']);
  });

  it('flushes RX on an error: lines already received behind the bad one are lost', () => {
    // G4 holds the queue, so every line lands in RX before the bad one is parsed.
    const t = booted();
    t.send('G4 P100');
    t.send('G4 P0');
    t.send('G4 P0');
    t.send('G4 P0'); // the queue (4 slots) is full now; what follows waits in RX
    t.send('N7 G1 X1*1'); // wrong number → error, and RX behind it is flushed
    t.sendLine(1, 'G1 X2');
    t.sendLine(2, 'G1 X3');
    t.clock.advance(500);
    expect(t.linesFrom(t.boot)).toEqual([
      'ok P15 B0',
      'Error:Line Number is not Last Line Number+1, Last Line: 0',
      'Resend: 1',
      'ok',
      'ok P15 B1',
      'ok P15 B2',
      'ok P15 B3',
    ]);
    const stats = t.printer.stats();
    expect(stats.rxBytesFlushed).toBe(
      `${frameLine(1, 'G1 X2')}\n${frameLine(2, 'G1 X3')}\n`.length,
    );
    expect(stats.errors).toBe(1);
    expect(stats.resendsRequested).toBe(1);
  });

  it('drops bytes silently when RX overflows, which surfaces as line errors', () => {
    const t = booted({ rxBufferBytes: 60 });
    t.send('G4 P100'); // blocks; the next three fill the queue
    for (let i = 0; i < 3; i++) t.send('G4 P0');
    const lines = Array.from({ length: 6 }, (_, i) => frameLine(i + 1, `G1 X${i}.55 Y${i}.25`));
    t.host.write(`${lines.join('\n')}\n`);
    t.clock.advance(1000);
    // The AVR ring holds size - 1 bytes; everything beyond is lost without a word.
    const sent = lines.join('\n').length + 1;
    expect(t.printer.stats().rxBytesDropped).toBe(sent - 59);
    expect(t.lines().some((l) => l.startsWith('Error'))).toBe(false);
    // Line 3 lost its tail; the next line the host sends merges with it and fails.
    t.sendLine(7, 'G1 X7');
    t.clock.advance(1);
    expect(t.lines().slice(-3)).toEqual([
      'Error:checksum mismatch, Last Line: 2',
      'Resend: 3',
      'ok',
    ]);
    expect(t.printer.executed().filter((c) => c.line !== null)).toEqual([
      { line: 1, command: 'G1 X0.55 Y0.25' },
      { line: 2, command: 'G1 X1.55 Y1.25' },
    ]);
  });

  it('ignores a duplicate of the last line silently when skipDuplicateLines is on', () => {
    const t = booted({ skipDuplicateLines: true });
    t.sendLine(1, 'G90');
    t.sendLine(1, 'G90');
    t.sendLine(2, 'G90');
    t.clock.advance(1);
    expect(t.linesFrom(t.boot)).toEqual(['ok N1 P15 B3', 'ok N2 P15 B3']);
  });
});
