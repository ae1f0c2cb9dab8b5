import {
  FieldRef,
  Literal,
  MAX_LIST_ITEMS,
  MAX_SEARCH_DEPTH,
  MAX_SEARCH_LENGTH,
  MAX_SEARCH_TERMS,
  SearchNode,
  SearchSyntaxError,
  parseSearch,
} from './search-parser';

// Small constructors for expected leaves; every assertion still compares whole objects with toEqual.
const field = (text: string, pos: number): FieldRef => ({ text, pos });
const str = (value: string, pos: number): Literal => ({ type: 'string', value, pos });
const num = (text: string, pos: number): Literal => ({ type: 'number', value: Number(text), text, pos });
const bool = (value: boolean, pos: number): Literal => ({ type: 'boolean', value, pos });
const nul = (pos: number): Literal => ({ type: 'null', pos });

/** `<name> = <n>` at `pos`, the shape most structural tests use. */
const eq = (name: string, pos: number, value: Literal): SearchNode => ({ kind: 'compare', op: '=', field: field(name, pos), value, pos });

function syntaxError(text: string): SearchSyntaxError {
  try {
    parseSearch(text);
  } catch (err) {
    if (err instanceof SearchSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a SearchSyntaxError for ${JSON.stringify(text)}`);
}

function expectError(text: string, message: string, position: number): void {
  const err = syntaxError(text);
  expect({ message: err.message, position: err.position }).toEqual({ message, position });
}

describe(parseSearch.name, () => {
  describe('comparison operators', () => {
    it.each([
      ['=', '='],
      ['!=', '!='],
      ['<>', '!='],
      ['<', '<'],
      ['<=', '<='],
      ['>', '>'],
      ['>=', '>='],
    ] as const)('parses x %s 1 as %s', (written, op) => {
      expect(parseSearch(`x ${written} 1`)).toEqual({ kind: 'compare', op, field: field('x', 0), value: num('1', 3 + written.length), pos: 0 });
    });

    it('needs no whitespace around operators', () => {
      expect(parseSearch("name='a'")).toEqual(eq('name', 0, str('a', 5)));
      expect(parseSearch('generation>=2')).toEqual({ kind: 'compare', op: '>=', field: field('generation', 0), value: num('2', 12), pos: 0 });
    });

    it('accepts any literal as the value', () => {
      expect(parseSearch('a = true')).toEqual(eq('a', 0, bool(true, 4)));
      expect(parseSearch('a != null')).toEqual({ kind: 'compare', op: '!=', field: field('a', 0), value: nul(5), pos: 0 });
    });

    it.each([
      ['=', '='],
      ['!=', '!='],
      ['<>', '!='],
      ['<', '>'],
      ['<=', '>='],
      ['>', '<'],
      ['>=', '<='],
    ] as const)('flips a literal on the left: 5 %s g means g %s 5', (written, op) => {
      expect(parseSearch(`5 ${written} g`)).toEqual({ kind: 'compare', op, field: field('g', 3 + written.length), value: num('5', 0), pos: 0 });
    });

    it('accepts a string or keyword literal on the left', () => {
      expect(parseSearch("'x' = name")).toEqual({ kind: 'compare', op: '=', field: field('name', 6), value: str('x', 0), pos: 0 });
      expect(parseSearch('NULL = name')).toEqual({ kind: 'compare', op: '=', field: field('name', 7), value: nul(0), pos: 0 });
    });
  });

  describe('or / and', () => {
    it('binds and tighter than or', () => {
      expect(parseSearch('a=1 or b=2 and c=3')).toEqual({
        kind: 'or',
        pos: 4,
        left: eq('a', 0, num('1', 2)),
        right: { kind: 'and', pos: 11, left: eq('b', 7, num('2', 9)), right: eq('c', 15, num('3', 17)) },
      });
      expect(parseSearch('a=1 and b=2 or c=3')).toEqual({
        kind: 'or',
        pos: 12,
        left: { kind: 'and', pos: 4, left: eq('a', 0, num('1', 2)), right: eq('b', 8, num('2', 10)) },
        right: eq('c', 15, num('3', 17)),
      });
    });

    it('is left-associative', () => {
      expect(parseSearch('a=1 and b=2 and c=3')).toEqual({
        kind: 'and',
        pos: 12,
        left: { kind: 'and', pos: 4, left: eq('a', 0, num('1', 2)), right: eq('b', 8, num('2', 10)) },
        right: eq('c', 16, num('3', 18)),
      });
      expect(parseSearch('a=1 or b=2 or c=3')).toEqual({
        kind: 'or',
        pos: 11,
        left: { kind: 'or', pos: 4, left: eq('a', 0, num('1', 2)), right: eq('b', 7, num('2', 9)) },
        right: eq('c', 14, num('3', 16)),
      });
    });

    it('reads keywords case-insensitively', () => {
      expect(parseSearch('a=1 AND b=2 Or c=3')).toEqual(parseSearch('a=1 and b=2 or c=3'));
    });

    it('splits on and/or only as whole words', () => {
      expect(parseSearch('android=1 and order=2')).toEqual({ kind: 'and', pos: 10, left: eq('android', 0, num('1', 8)), right: eq('order', 14, num('2', 20)) });
    });
  });

  describe('not', () => {
    it('binds tighter than and', () => {
      expect(parseSearch('not a=1 and b=2')).toEqual({
        kind: 'and',
        pos: 8,
        left: { kind: 'not', pos: 0, operand: eq('a', 4, num('1', 6)) },
        right: eq('b', 12, num('2', 14)),
      });
    });

    it('negates a parenthesised group', () => {
      expect(parseSearch('not (a=1 or b=2)')).toEqual({
        kind: 'not',
        pos: 0,
        operand: { kind: 'or', pos: 9, left: eq('a', 5, num('1', 7)), right: eq('b', 12, num('2', 14)) },
      });
    });

    it('stacks and is case-insensitive', () => {
      expect(parseSearch('NOT Not a is null')).toEqual({
        kind: 'not',
        pos: 0,
        operand: { kind: 'not', pos: 4, operand: { kind: 'isNull', negated: false, field: field('a', 8), pos: 8 } },
      });
    });

    it('may be glued to a parenthesis', () => {
      expect(parseSearch('not(a=1)')).toEqual({ kind: 'not', pos: 0, operand: eq('a', 4, num('1', 6)) });
    });
  });

  describe('parentheses', () => {
    it('group against precedence and leave no node of their own', () => {
      expect(parseSearch('(a=1 or b=2) and c=3')).toEqual({
        kind: 'and',
        pos: 13,
        left: { kind: 'or', pos: 5, left: eq('a', 1, num('1', 3)), right: eq('b', 8, num('2', 10)) },
        right: eq('c', 17, num('3', 19)),
      });
      expect(parseSearch('((a=1))')).toEqual(eq('a', 2, num('1', 4)));
    });

    it('group on the right', () => {
      expect(parseSearch('a=1 and (b=2 or c=3)')).toEqual({
        kind: 'and',
        pos: 4,
        left: eq('a', 0, num('1', 2)),
        right: { kind: 'or', pos: 13, left: eq('b', 9, num('2', 11)), right: eq('c', 16, num('3', 18)) },
      });
    });
  });

  describe('in', () => {
    it('accepts a parenthesised list (seed style)', () => {
      expect(parseSearch("labels.env in ('a', 'b')")).toEqual({
        kind: 'in',
        negated: false,
        field: field('labels.env', 0),
        values: [str('a', 15), str('b', 20)],
        pos: 0,
      });
    });

    it('accepts a bracketed list (HEAD style)', () => {
      expect(parseSearch("x in ['a']")).toEqual({ kind: 'in', negated: false, field: field('x', 0), values: [str('a', 6)], pos: 0 });
    });

    it('parses not in with mixed literal types', () => {
      expect(parseSearch('x not in (1, -2.5, true, null, "s")')).toEqual({
        kind: 'in',
        negated: true,
        field: field('x', 0),
        values: [num('1', 10), num('-2.5', 13), bool(true, 19), nul(25), str('s', 31)],
        pos: 0,
      });
    });

    it('reads IN / NOT IN case-insensitively and without spaces', () => {
      expect(parseSearch("x NOT IN['a','b']")).toEqual({ kind: 'in', negated: true, field: field('x', 0), values: [str('a', 9), str('b', 13)], pos: 0 });
      expect(parseSearch("x In('a')")).toEqual({ kind: 'in', negated: false, field: field('x', 0), values: [str('a', 5)], pos: 0 });
    });
  });

  describe('like / ilike', () => {
    it.each([
      ["name like 'a%'", false, false, 10],
      ["name ilike 'a%'", false, true, 11],
      ["name not like 'a%'", true, false, 14],
      ["name not ilike 'a%'", true, true, 15],
      ["name NOT ILike 'a%'", true, true, 15],
    ] as const)('parses %s', (text, negated, caseInsensitive, patternPos) => {
      expect(parseSearch(text)).toEqual({ kind: 'like', negated, caseInsensitive, field: field('name', 0), pattern: str('a%', patternPos), pos: 0 });
    });

    it('keeps the pattern verbatim (wildcards are the compiler’s business)', () => {
      expect(parseSearch("name like '%\\\\_x'")).toEqual({ kind: 'like', negated: false, caseInsensitive: false, field: field('name', 0), pattern: str('%\\_x', 10), pos: 0 });
    });
  });

  describe('between', () => {
    it('parses between and not between', () => {
      expect(parseSearch('generation between 1 and 5')).toEqual({ kind: 'between', negated: false, field: field('generation', 0), low: num('1', 19), high: num('5', 25), pos: 0 });
      expect(parseSearch("t NOT BETWEEN '2026-01-01' AND '2027-01-01'")).toEqual({
        kind: 'between',
        negated: true,
        field: field('t', 0),
        low: str('2026-01-01', 14),
        high: str('2027-01-01', 31),
        pos: 0,
      });
    });

    it('consumes its own and, so a following and joins predicates', () => {
      expect(parseSearch('a between 1 and 2 and b=3')).toEqual({
        kind: 'and',
        pos: 18,
        left: { kind: 'between', negated: false, field: field('a', 0), low: num('1', 10), high: num('2', 16), pos: 0 },
        right: eq('b', 22, num('3', 24)),
      });
    });
  });

  describe('is null', () => {
    it('parses is null and is not null', () => {
      expect(parseSearch('deleted_time is null')).toEqual({ kind: 'isNull', negated: false, field: field('deleted_time', 0), pos: 0 });
      expect(parseSearch('deleted_time IS NOT NULL')).toEqual({ kind: 'isNull', negated: true, field: field('deleted_time', 0), pos: 0 });
    });
  });

  describe('literals', () => {
    it.each([
      ["a = 'x'", 'x'],
      ['a = "x"', 'x'],
      ['a = `x`', 'x'],
      ["a = ''", ''],
      ["a = 'O''Brien'", "O'Brien"],
      ["a = 'it\\'s'", "it's"],
      ['a = "say \\"hi\\""', 'say "hi"'],
      ['a = `tick \\` tock`', 'tick ` tock'],
      ["a = 'back\\\\slash'", 'back\\slash'],
      ["a = 'l1\\nl2\\tt\\rr'", 'l1\nl2\tt\rr'],
      ["a = '\\u0041\\u00e9'", 'Aé'],
      ["a = '\\uD83D\\uDE00'", '😀'],
      ['a = "it\'s"', "it's"],
      ["a = 'tab\tand\nnewline'", 'tab\tand\nnewline'],
      ["a = 'héllo 😀 世界'", 'héllo 😀 世界'],
      ["a = '-- not a comment; /* nor this */'", '-- not a comment; /* nor this */'],
      ["a = 'x'' OR ''1''=''1'", "x' OR '1'='1"],
    ])('reads the string in %s', (text, value) => {
      expect(parseSearch(text)).toEqual(eq('a', 0, str(value, 4)));
    });

    it.each([
      ['0', 0],
      ['42', 42],
      ['-7', -7],
      ['3.14', 3.14],
      ['-2.5', -2.5],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['1E+2', 100],
      ['007', 7],
      ['12345678901234567890', 12345678901234567000],
    ])('reads the number %s and keeps its text', (text, value) => {
      expect(parseSearch(`a = ${text}`)).toEqual(eq('a', 0, { type: 'number', value, text, pos: 4 }));
    });

    it('reads true, false and null case-insensitively', () => {
      expect(parseSearch('a = TRUE')).toEqual(eq('a', 0, bool(true, 4)));
      expect(parseSearch('a = False')).toEqual(eq('a', 0, bool(false, 4)));
      expect(parseSearch('a = Null')).toEqual(eq('a', 0, nul(4)));
    });

    it('treats keyword-prefixed names as identifiers, not literals', () => {
      expect(parseSearch('truex = 1')).toEqual(eq('truex', 0, num('1', 8)));
      expect(parseSearch('null_count = 1')).toEqual(eq('null_count', 0, num('1', 13)));
      expectError('a = nullish', "expected a value after '=' but found 'nullish' at position 4", 4);
    });
  });

  describe('identifiers', () => {
    it.each([
      'name',
      '_private',
      'a1_b2',
      'Labels.Env',
      'labels.env',
      'spec.a.b.c',
      'status.conditions.Reconciled',
      'status.conditions.Reconciled.observed_generation',
      'labels.example.com/team-name',
      'labels.app.kubernetes.io/part-of',
      'labels.a--b',
    ])('keeps %s verbatim', (name) => {
      expect(parseSearch(`${name} = 'v'`)).toEqual(eq(name, 0, str('v', name.length + 3)));
    });

    it('allows whitespace of any kind between tokens', () => {
      expect(parseSearch("\t\r\n name\n=\t'a'  ")).toEqual(eq('name', 4, str('a', 11)));
    });
  });

  describe('errors', () => {
    it('throws SearchSyntaxError, an Error with a name and position', () => {
      const err = syntaxError('a =');
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('SearchSyntaxError');
      expect(err.position).toBe(3);
    });

    it.each([
      ['', 'search expression is empty', 0],
      [' \t\r\n ', 'search expression is empty', 0],
    ])('rejects blank input %j', (text, message, position) => {
      expectError(text, message, position);
    });

    it('rejects a non-string at runtime', () => {
      expectError(['a=1'] as unknown as string, 'search expression must be a string at position 0', 0);
    });

    describe('missing operands and misplaced tokens', () => {
      it.each([
        ['name', "expected an operator after field 'name' but found the end of the input at position 4", 4],
        ['name =', "expected a value after '=' but found the end of the input at position 6", 6],
        ['name = ', "expected a value after '=' but found the end of the input at position 7", 7],
        ["= 'a'", "expected a condition but found '=' at position 0", 0],
        ['and a=1', "expected a condition but found 'and' at position 0", 0],
        ['a=1 and', "expected a condition after 'and' but found the end of the input at position 7", 7],
        ['a=1 or', "expected a condition after 'or' but found the end of the input at position 6", 6],
        ['a=1 and or b=1', "expected a condition after 'and' but found 'or' at position 8", 8],
        ['not', "expected a condition after 'not' but found the end of the input at position 3", 3],
        ['not = 1', "expected a condition after 'not' but found '=' at position 4", 4],
        ['in = 1', "expected a condition but found 'in' at position 0", 0],
        ['a=1 b=2', "expected 'and', 'or' or the end of the expression but found 'b' at position 4", 4],
        ["a = 'x' 'y'", "expected 'and', 'or' or the end of the expression but found the string 'y' at position 8", 8],
        ['a = 1 2', "expected 'and', 'or' or the end of the expression but found the number 2 at position 6", 6],
        ['a = b', "expected a value after '=' but found 'b' at position 4", 4],
        ['a <> ', "expected a value after '<>' but found the end of the input at position 5", 5],
        ['a = ,', "expected a value after '=' but found ',' at position 4", 4],
        ['a[0] = 1', "expected an operator after field 'a' but found '[' at position 1", 1],
        ['a not = 1', "expected 'in', 'like', 'ilike' or 'between' after 'not' but found '=' at position 6", 6],
        ['a not null', "expected 'in', 'like', 'ilike' or 'between' after 'not' but found 'null' at position 6", 6],
        ["'x'", 'expected a comparison operator after the value but found the end of the input at position 3', 3],
        ["'x' like 'y'", "expected a comparison operator after the value but found 'like' at position 4", 4],
        ["1 in (1)", "expected a comparison operator after the value but found 'in' at position 2", 2],
        ["'x' = 'y'", "expected a field name after '=' but found the string 'y' at position 6", 6],
        ['1 = null', "expected a field name after '=' but found 'null' at position 4", 4],
        ['1 < and', "expected a field name after '<' but found 'and' at position 4", 4],
      ])('%j', (text, message, position) => expectError(text, message, position));
    });

    describe('parentheses and brackets', () => {
      it.each([
        ['()', "expected a condition after '(' but found ')' at position 1", 1],
        ['(a=1', "expected ')' to match the '(' at position 0 but found the end of the input at position 4", 4],
        ['((a=1)', "expected ')' to match the '(' at position 0 but found the end of the input at position 6", 6],
        ['(a=1]', "expected ')' to match the '(' at position 0 but found ']' at position 4", 4],
        ['a=1)', "unmatched ')' at position 3", 3],
        ['(a=1))', "unmatched ')' at position 5", 5],
        ['a=1]', "unmatched ']' at position 3", 3],
        [')', "expected a condition but found ')' at position 0", 0],
        ['[a=1]', "expected a condition but found '[' at position 0", 0],
      ])('%j', (text, message, position) => expectError(text, message, position));
    });

    describe('lists, patterns, between, is', () => {
      it.each([
        ["a in 'x'", "expected '(' or '[' to start a list after 'in' but found the string 'x' at position 5", 5],
        ['a in x', "expected '(' or '[' to start a list after 'in' but found 'x' at position 5", 5],
        ['a not in', "expected '(' or '[' to start a list after 'not in' but found the end of the input at position 8", 8],
        ['a in ()', "expected at least one value in the list but found ')' at position 6", 6],
        ['a in []', "expected at least one value in the list but found ']' at position 6", 6],
        ["a in ('x',)", "expected a value after ',' but found ')' at position 10", 10],
        ["a in (,'x')", "expected a value after '(' but found ',' at position 6", 6],
        ["a in ('x'", "expected ',' or ')' in the list but found the end of the input at position 9", 9],
        ["a in ('x']", "expected ',' or ')' in the list but found ']' at position 9", 9],
        ["a in ['x')", "expected ',' or ']' in the list but found ')' at position 9", 9],
        ["a in ('x' 'y')", "expected ',' or ')' in the list but found the string 'y' at position 10", 10],
        ['a in (b)', "expected a value after '(' but found 'b' at position 6", 6],
        ['a in ((1))', "expected a value after '(' but found '(' at position 6", 6],
        ['a like 5', "expected a string pattern after 'like' but found the number 5 at position 7", 7],
        ['a not like x', "expected a string pattern after 'not like' but found 'x' at position 11", 11],
        ['a ilike null', "expected a string pattern after 'ilike' but found 'null' at position 8", 8],
        ["a like ('x')", "expected a string pattern after 'like' but found '(' at position 7", 7],
        ['a between 1', "expected 'and' between the bounds of 'between' but found the end of the input at position 11", 11],
        ['a between 1 or 2', "expected 'and' between the bounds of 'between' but found 'or' at position 12", 12],
        ['a between and 2', "expected a value after 'between' but found 'and' at position 10", 10],
        ['a not between', "expected a value after 'not between' but found the end of the input at position 13", 13],
        ['a between 1 and', "expected a value after 'and' but found the end of the input at position 15", 15],
        ['a is', "expected 'null' or 'not null' after 'is' but found the end of the input at position 4", 4],
        ['a is 1', "expected 'null' or 'not null' after 'is' but found the number 1 at position 5", 5],
        ["a is 'null'", "expected 'null' or 'not null' after 'is' but found the string 'null' at position 5", 5],
        ['a is not 1', "expected 'null' after 'is not' but found the number 1 at position 9", 9],
        ['a is not', "expected 'null' after 'is not' but found the end of the input at position 8", 8],
      ])('%j', (text, message, position) => expectError(text, message, position));
    });

    describe('unsupported operators and functions', () => {
      it.each([
        ['a + 1 = 2', "unsupported arithmetic operator '+' at position 2", 2],
        ['a = 1 * 2', "unsupported arithmetic operator '*' at position 6", 6],
        ['a = 10 % 3', "unsupported arithmetic operator '%' at position 7", 7],
        ['a = 4 / 2', "unsupported arithmetic operator '/' at position 6", 6],
        ['a = 1-2', "unsupported arithmetic operator '-' at position 5", 5],
        ['a = - 1', "unsupported arithmetic operator '-' at position 4", 4],
        ["a = 'x'-1", "unsupported arithmetic operator '-' at position 7", 7],
        ['a = (1)-1', "expected a value after '=' but found '(' at position 4", 4],
        ["a ~= 'x'", "unsupported regular-expression operator '~=' at position 2", 2],
        ["a ~! 'x'", "unsupported regular-expression operator '~!' at position 2", 2],
        ["a ~ 'x'", "unexpected character '~' at position 2", 2],
        ['len(a) = 1', "unsupported function call 'len(...)' at position 0", 0],
        ['any (a) = 1', "unsupported function call 'any(...)' at position 0", 0],
        ["a = lower('x')", "unsupported function call 'lower(...)' at position 4", 4],
        ["'x' = lower(a)", "unsupported function call 'lower(...)' at position 6", 6],
        ['a == 1', "unsupported operator '==' (use '=') at position 2", 2],
        ['a = 1 && b = 2', "unsupported operator '&&' (use 'and') at position 6", 6],
        ['a = 1 || b = 2', "unsupported operator '||' (use 'or') at position 6", 6],
        ['a ! 1', "unexpected character '!' at position 2", 2],
      ])('%j', (text, message, position) => expectError(text, message, position));
    });

    describe('lexical errors', () => {
      it.each([
        ['a = 1Ki', "invalid number '1Ki' at position 4", 4],
        ['a = 1.', "invalid number '1.' at position 4", 4],
        ['a = 1.2.3', "invalid number '1.2.3' at position 4", 4],
        ['a = 1e', "invalid number '1e' at position 4", 4],
        ['a = 1e+', "invalid number '1e+' at position 4", 4],
        ['a = 1_000', "invalid number '1_000' at position 4", 4],
        ['a = .5', "unexpected character '.' at position 4", 4],
        ['a = 1e999', "number '1e999' is out of range at position 4", 4],
        ['1abc = 2', "invalid number '1abc' at position 0", 0],
        ["a = 'abc", 'unterminated string starting at position 4', 4],
        ["a = 'abc\\", 'unterminated string starting at position 4', 4],
        ["a = 'abc\\'", 'unterminated string starting at position 4', 4],
        ['a = "x\'', 'unterminated string starting at position 4', 4],
        ['a = `x', 'unterminated string starting at position 4', 4],
        ["a = 'x\\q'", "invalid escape sequence '\\q' in a string at position 6", 6],
        ["a = 'x\\%'", "invalid escape sequence '\\%' in a string at position 6", 6],
        ["a = '\\u12'", "invalid unicode escape '\\u12' (expected 4 hex digits) at position 5", 5],
        ["a = '\\u00zz'", "invalid unicode escape '\\u00zz' (expected 4 hex digits) at position 5", 5],
        ["a = '\\uD83D'", 'unpaired UTF-16 surrogate in the string starting at position 4', 4],
        ["a = '\\uDE00\\uD83D'", 'unpaired UTF-16 surrogate in the string starting at position 4', 4],
      ])('%j', (text, message, position) => expectError(text, message, position));
    });
  });

  describe('hostile input', () => {
    it.each([
      ["name = 'x'; drop table clusters", "unexpected character ';' at position 10", 10],
      ["name = 'x' -- comment", "comments are not supported ('--') at position 11", 11],
      ["name = 'x' /* c */", "comments are not supported ('/*') at position 11", 11],
      ["name/**/ = 'x'", "comments are not supported ('/*') at position 4", 4],
      ["name = 'x' # c", "unexpected character '#' at position 11", 11],
      ['name = $1', "unexpected character '$' at position 7", 7],
      ['name = @p', "unexpected character '@' at position 7", 7],
      ['name = \\x', "unexpected character '\\' at position 7", 7],
      ['name = é', "unexpected character 'é' (U+00E9) at position 7", 7],
      ['name = 😀', "unexpected character '😀' (U+1F600) at position 7", 7],
      ['näme = 1', "unexpected character 'ä' (U+00E4) at position 1", 1],
      ["name\u00a0= 'x'", "unexpected character '\u00a0' (U+00A0) at position 4", 4],
      ["name = 'x'\u2028", "unexpected character '\u2028' (U+2028) at position 10", 10],
      ['\u00a0', "unexpected character '\u00a0' (U+00A0) at position 0", 0],
      ['name = \ud800', 'unexpected character U+D800 at position 7', 7],
      ['\u0000', 'control character U+0000 is not allowed at position 0', 0],
      ["name\u0000 = 'x'", 'control character U+0000 is not allowed at position 4', 4],
      ["name = 'x\u0000y'", 'control character U+0000 is not allowed at position 9', 9],
      ["name = 'x\\\u0000'", 'control character U+0000 is not allowed at position 10', 10],
      ["name = '\\u0000'", "control character U+0000 is not allowed (written as '\\u0000') at position 8", 8],
      ["name = '\\u001b[31m'", "control character U+001B is not allowed (written as '\\u001b') at position 8", 8],
      ['\u001b[31mname = 1', 'control character U+001B is not allowed at position 0', 0],
      ["name = 'a\u007fb' and x = 1\u0008", 'control character U+0008 is not allowed at position 22', 22],
    ])('%j', (text, message, position) => expectError(text, message, position));

    it('keeps injection-looking text inside strings as plain values', () => {
      expect(parseSearch("name = 'x'' OR 1=1; --'")).toEqual(eq('name', 0, str("x' OR 1=1; --", 7)));
      expect(parseSearch('name = "\'); DROP TABLE clusters; --"')).toEqual(eq('name', 0, str("'); DROP TABLE clusters; --", 7)));
    });

    it('fails fast on 10 000 nested parentheses', () => {
      const text = `${'('.repeat(10_000)}a=1${')'.repeat(10_000)}`;
      const started = performance.now();
      expectError(text, `search expression is too long (20003 characters; the maximum is ${MAX_SEARCH_LENGTH}) at position ${MAX_SEARCH_LENGTH}`, MAX_SEARCH_LENGTH);
      expect(performance.now() - started).toBeLessThan(50);
    });

    it('fails fast on unbalanced nesting that fits the length limit', () => {
      const started = performance.now();
      expectError('('.repeat(MAX_SEARCH_LENGTH), `expression is nested too deeply (more than ${MAX_SEARCH_DEPTH} levels of parentheses and 'not') at position 32`, 32);
      expectError('not '.repeat(1000), `expression is nested too deeply (more than ${MAX_SEARCH_DEPTH} levels of parentheses and 'not') at position 128`, 128);
      expect(performance.now() - started).toBeLessThan(50);
    });

    it('throws only SearchSyntaxError for random input', () => {
      // Deterministic PRNG so a failure can be reproduced.
      let seed = 0x5eed;
      const rand = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % n;
      };
      const pieces = [
        'a', 'labels.env', ' ', '=', '!=', '<>', '<', '<=', '>', '>=', 'and', 'or', 'not', 'in', 'like', 'ilike', 'between', 'is', 'null',
        'true', '(', ')', '[', ']', ',', "'x'", '"y"', '`z`', "'", '"', '`', '\\', '\\u', '1', '-', '-1', '1e', '.', '+', '*', '/', '%',
        '~', '!', ';', '\u0000', '😀', '\ud800', '\n', 'é', '0x', "''",
      ];
      for (let i = 0; i < 5000; i++) {
        let text = '';
        for (let k = rand(20); k >= 0; k--) text += pieces[rand(pieces.length)];
        try {
          parseSearch(text);
        } catch (err) {
          if (!(err instanceof SearchSyntaxError)) throw new Error(`${JSON.stringify(text)} threw ${String(err)}`);
          expect(err.message.endsWith(`at position ${err.position}`) || err.message === 'search expression is empty').toBe(true);
          expect(err.position).toBeGreaterThanOrEqual(0);
          expect(err.position).toBeLessThanOrEqual(text.length);
        }
      }
    });
  });

  describe('limits', () => {
    it(`accepts exactly ${MAX_SEARCH_LENGTH} characters and rejects one more`, () => {
      const pad = (length: number): string => `name = '${'x'.repeat(length - 9)}'`;
      expect(pad(MAX_SEARCH_LENGTH)).toHaveLength(MAX_SEARCH_LENGTH);
      expect(parseSearch(pad(MAX_SEARCH_LENGTH))).toEqual(eq('name', 0, str('x'.repeat(MAX_SEARCH_LENGTH - 9), 7)));
      expectError(pad(MAX_SEARCH_LENGTH + 1), `search expression is too long (4097 characters; the maximum is 4096) at position 4096`, 4096);
      expectError(' '.repeat(MAX_SEARCH_LENGTH + 1), `search expression is too long (4097 characters; the maximum is 4096) at position 4096`, 4096);
    });

    it(`accepts ${MAX_SEARCH_DEPTH} levels of parentheses and rejects ${MAX_SEARCH_DEPTH + 1}`, () => {
      const nest = (depth: number): string => `${'('.repeat(depth)}a=1${')'.repeat(depth)}`;
      expect(parseSearch(nest(MAX_SEARCH_DEPTH))).toEqual(eq('a', 32, num('1', 34)));
      expectError(nest(MAX_SEARCH_DEPTH + 1), "expression is nested too deeply (more than 32 levels of parentheses and 'not') at position 32", 32);
    });

    it(`accepts ${MAX_SEARCH_DEPTH} nested nots and rejects ${MAX_SEARCH_DEPTH + 1}`, () => {
      let expected: SearchNode = eq('a', 128, num('1', 130));
      for (let i = MAX_SEARCH_DEPTH - 1; i >= 0; i--) expected = { kind: 'not', operand: expected, pos: i * 4 };
      expect(parseSearch(`${'not '.repeat(MAX_SEARCH_DEPTH)}a=1`)).toEqual(expected);
      expectError(`${'not '.repeat(MAX_SEARCH_DEPTH + 1)}a=1`, "expression is nested too deeply (more than 32 levels of parentheses and 'not') at position 128", 128);
    });

    it('counts parentheses and nots together, but not sibling groups or list brackets', () => {
      const mixed = 'not ('.repeat(16); // 32 levels
      expect(() => parseSearch(`${mixed}a in (1)${')'.repeat(16)}`)).not.toThrow();
      expectError(`${mixed}not a=1${')'.repeat(16)}`, "expression is nested too deeply (more than 32 levels of parentheses and 'not') at position 80", 80);
      const siblings = Array.from({ length: 100 }, () => '(a=1)').join(' and ');
      expect(() => parseSearch(siblings)).not.toThrow();
    });

    it(`accepts ${MAX_SEARCH_TERMS} predicates and rejects ${MAX_SEARCH_TERMS + 1}`, () => {
      const terms = (count: number): string => Array.from({ length: count }, () => 'a=1').join(' and ');
      expect(() => parseSearch(terms(MAX_SEARCH_TERMS))).not.toThrow();
      expectError(terms(MAX_SEARCH_TERMS + 1), 'too many conditions (more than 256) at position 2048', 2048);
    });

    it('counts every kind of predicate, including a literal on the left', () => {
      const kinds = ["a in ('x')", "a like 'x'", 'a between 1 and 2', 'a is null', '1 < a', 'a = 1'];
      const text = Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => kinds[i % kinds.length]).join(' or ');
      expect(() => parseSearch(text)).not.toThrow();
      expectError(`${text} or 1 < a`, `too many conditions (more than 256) at position ${text.length + 4}`, text.length + 4);
    });

    it(`accepts ${MAX_LIST_ITEMS} list values and rejects ${MAX_LIST_ITEMS + 1}`, () => {
      const list = (count: number): string => `a in (${Array.from({ length: count }, () => '1').join(',')})`;
      const accepted = parseSearch(list(MAX_LIST_ITEMS));
      expect(accepted.kind === 'in' && accepted.values.length).toBe(MAX_LIST_ITEMS);
      expectError(list(MAX_LIST_ITEMS + 1), 'too many values in the list (more than 1000) at position 2006', 2006);
    });
  });
});
