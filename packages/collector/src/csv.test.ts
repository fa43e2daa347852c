import { expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.js';

it('quotes per RFC 4180 and ends every line with CRLF', () => {
  expect(
    toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        ['line\nbreak', null],
      ],
    ),
  ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
});

it('neutralises cells a spreadsheet would run as a formula', () => {
  expect(csvCell('=1+1')).toBe("'=1+1");
  expect(csvCell('+1')).toBe("'+1");
  expect(csvCell('-1')).toBe("'-1");
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  expect(csvCell('\t=1')).toBe("'\t=1");
  expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  expect(csvCell('plain')).toBe('plain');
  expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
});
