// Parser for the `search` list parameter (CONTRACT Part B §6.1/§6.2, Part A D7): text → AST with
// source positions. Pure and syntax-only: it knows no field names; mapping fields to SQL (and
// rejecting unknown ones) is the search compiler's job.
//
// Grammar as implemented (EBNF; keywords case-insensitive, whitespace = space, tab, CR, LF):
//
//   search     = or_expr EOF ;
//   or_expr    = and_expr { "or" and_expr } ;                      (* left-associative *)
//   and_expr   = unary { "and" unary } ;                           (* left-associative *)
//   unary      = "not" unary | "(" or_expr ")" | predicate ;
//   predicate  = field compare_op literal
//              | literal compare_op field                         (* flipped: 5 < x  ⇒  x > 5 *)
//              | field [ "not" ] "in" list
//              | field [ "not" ] ( "like" | "ilike" ) string
//              | field [ "not" ] "between" literal "and" literal
//              | field "is" [ "not" ] "null" ;
//   compare_op = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ;    (* "<>" is read as "!=" *)
//   list       = "(" literal { "," literal } ")" | "[" literal { "," literal } "]" ;
//   literal    = string | number | "true" | "false" | "null" ;
//   field      = ident - keyword ;
//   ident      = ( letter | "_" ) { letter | digit | "_" | "." | "/" | "-" } ;   (* ASCII letters *)
//   keyword    = "and" | "or" | "not" | "in" | "like" | "ilike" | "between" | "is"
//              | "true" | "false" | "null" ;
//   number     = [ "-" ] digit { digit } [ "." digit { digit } ] [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ] ;
//   string     = "'" { char | escape | "''" } "'" | '"' { char | escape } '"' | "`" { char | escape } "`" ;
//   escape     = "\" ( "'" | '"' | "`" | "\" | "n" | "t" | "r" | "u" hex hex hex hex ) ;
//
// Lexical side rules: a number may not run into letters, digits, "_" or "." (`1Ki` is an error); a
// "-" glued to a preceding number, string, ")" or "]" is subtraction (refused), not a sign; "/*" ends an
// identifier so that it is reported as a comment; control characters other than tab/CR/LF are
// refused everywhere, also when written as \uXXXX; strings must be well-formed UTF-16.

/** Longest accepted search expression, in UTF-16 code units (CONTRACT §6.1: 4096 → 400). */
export const MAX_SEARCH_LENGTH = 4096;
/** Deepest accepted nesting; every `(` group and every `not` adds one level. */
export const MAX_SEARCH_DEPTH = 32;
/** Most predicates (comparisons, `in`, `like`, `between`, `is null`) in one expression. */
export const MAX_SEARCH_TERMS = 256;
/** Most values in one `in` list. */
export const MAX_LIST_ITEMS = 1000;

/** A field reference exactly as written, e.g. `labels.env`, `spec.a.b`, `name`; `pos` is its first character. */
export interface FieldRef {
  text: string;
  pos: number;
}

/**
 * A literal value; `pos` is its first character (the opening quote of a string, the `-` of a negative
 * number). Numbers keep their source `text` so callers can avoid floating-point rounding.
 */
export type Literal =
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; text: string; pos: number }
  | { type: 'boolean'; value: boolean; pos: number }
  | { type: 'null'; pos: number };

/** Comparison operators; `<>` is normalised to `!=`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A parsed search expression. Positions: `and`/`or` nodes point at their keyword, `not` nodes at the
 * `not`, predicates at their first character (the field, or the literal when it is written on the
 * left). Parentheses leave no node of their own.
 */
export type SearchNode =
  | { kind: 'and' | 'or'; left: SearchNode; right: SearchNode; pos: number }
  | { kind: 'not'; operand: SearchNode; pos: number }
  | { kind: 'compare'; op: CompareOp; field: FieldRef; value: Literal; pos: number }
  | { kind: 'in'; negated: boolean; field: FieldRef; values: Literal[]; pos: number }
  | { kind: 'like'; negated: boolean; caseInsensitive: boolean; field: FieldRef; pattern: Literal; pos: number }
  | { kind: 'between'; negated: boolean; field: FieldRef; low: Literal; high: Literal; pos: number }
  | { kind: 'isNull'; negated: boolean; field: FieldRef; pos: number };

/**
 * The only error {@link parseSearch} throws. `position` is a 0-based offset into the original text
 * in UTF-16 code units; the message says what is wrong and ends with `at position N` (same N), e.g.
 * `expected a value after '=' but found the end of the input at position 6`. The single exception
 * is `search expression is empty` (position 0).
 */
export class SearchSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'SearchSyntaxError';
  }
}

type Punct = '(' | ')' | '[' | ']' | ',';
type Token =
  | { kind: 'ident'; text: string; pos: number; end: number }
  | { kind: 'string'; value: string; raw: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'punct'; text: Punct; pos: number }
  | { kind: 'op'; op: CompareOp; text: string; pos: number }
  | { kind: 'eof'; pos: number };

// Reserved words can never be field names, so `not`, `in`, … are unambiguous.
const OPERATOR_KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'ilike', 'between', 'is']);
const LITERAL_KEYWORDS = new Set(['true', 'false', 'null']);

// Writing the literal on the left (`5 < generation`) is stored as the equivalent `generation > 5`.
const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '`': '`', '\\': '\\', n: '\n', t: '\t', r: '\r' };

function fail(message: string, position: number): never {
  throw new SearchSyntaxError(`${message} at position ${position}`, position);
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isIdentStart = (c: number): boolean => isLetter(c) || c === 0x5f;
// '-' is allowed because label keys contain it; the language has no arithmetic to confuse it with.
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === 0x2e || c === 0x2f || c === 0x2d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
// Tab, LF and CR are whitespace (outside strings) or plain text (inside); every other C0 control is refused.
const isForbiddenControl = (c: number): boolean => c < 0x20 && !isSpace(c);

const hex4 = (c: number): string => c.toString(16).toUpperCase().padStart(4, '0');

/** Shortens user text quoted in a message, without splitting a surrogate pair. */
function clip(s: string, max = 40): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the input';
    case 'ident':
      return `'${clip(t.text)}'`;
    case 'string':
      return `the string ${clip(t.raw)}`;
    case 'number':
      return `the number ${clip(t.text)}`;
    default:
      return `'${t.text}'`;
  }
}

function keywordOf(t: Token): string | undefined {
  return t.kind === 'ident' ? t.text.toLowerCase() : undefined;
}

/** Lazy tokenizer with one token of lookahead, so the first problem in reading order is the one reported. */
class Scanner {
  private offset = 0;
  private lookahead: Token | undefined;

  constructor(private readonly src: string) {}

  peek(): Token {
    return (this.lookahead ??= this.scan());
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  /** True when `(` follows position `end` (after optional whitespace): the shape of a function call. */
  parenFollows(end: number): boolean {
    let i = end;
    while (i < this.src.length && isSpace(this.src.charCodeAt(i))) i++;
    return this.src[i] === '(';
  }

  private scan(): Token {
    const s = this.src;
    while (this.offset < s.length && isSpace(s.charCodeAt(this.offset))) this.offset++;
    const pos = this.offset;
    if (pos >= s.length) return { kind: 'eof', pos };
    const code = s.charCodeAt(pos);
    const ch = s[pos];
    const nextCh = s[pos + 1];

    if (isIdentStart(code)) return this.identifier(pos);
    if (isDigit(code)) return this.number(pos);
    switch (ch) {
      case "'":
      case '"':
      case '`':
        return this.string(pos);
      case '(':
      case ')':
      case '[':
      case ']':
      case ',':
        this.offset = pos + 1;
        return { kind: 'punct', text: ch, pos };
      case '=':
        if (nextCh === '=') fail("unsupported operator '==' (use '=')", pos);
        return this.op('=', '=', pos);
      case '!':
        if (nextCh === '=') return this.op('!=', '!=', pos);
        break;
      case '<':
        if (nextCh === '=') return this.op('<=', '<=', pos);
        if (nextCh === '>') return this.op('!=', '<>', pos);
        return this.op('<', '<', pos);
      case '>':
        if (nextCh === '=') return this.op('>=', '>=', pos);
        return this.op('>', '>', pos);
      case '-':
        if (nextCh === '-') return fail("comments are not supported ('--')", pos);
        // A '-' glued to a preceding value (`1-2`, `'a'-1`, `(x)-1`) is subtraction, not a sign.
        if (nextCh !== undefined && isDigit(nextCh.charCodeAt(0)) && !/[0-9'"`)\]]/.test(s[pos - 1] ?? '')) return this.number(pos);
        return fail("unsupported arithmetic operator '-'", pos);
      case '/':
        if (nextCh === '*') return fail("comments are not supported ('/*')", pos);
        return fail("unsupported arithmetic operator '/'", pos);
      case '+':
      case '*':
      case '%':
        return fail(`unsupported arithmetic operator '${ch}'`, pos);
      case '~':
        if (nextCh === '=' || nextCh === '!') return fail(`unsupported regular-expression operator '~${nextCh}'`, pos);
        break;
      case '&':
        if (nextCh === '&') return fail("unsupported operator '&&' (use 'and')", pos);
        break;
      case '|':
        if (nextCh === '|') return fail("unsupported operator '||' (use 'or')", pos);
        break;
    }
    if (isForbiddenControl(code)) fail(`control character U+${hex4(code)} is not allowed`, pos);
    fail(`unexpected character ${this.showChar(pos)}`, pos);
  }

  private showChar(pos: number): string {
    const cp = this.src.codePointAt(pos)!;
    if (cp > 0x20 && cp < 0x7f) return `'${String.fromCodePoint(cp)}'`;
    // Lone surrogates cannot be shown as text; everything else non-ASCII gets its code point too.
    if (cp >= 0xd800 && cp <= 0xdfff) return `U+${hex4(cp)}`;
    return `'${String.fromCodePoint(cp)}' (U+${hex4(cp)})`;
  }

  private op(op: CompareOp, text: string, pos: number): Token {
    this.offset = pos + text.length;
    return { kind: 'op', op, text, pos };
  }

  private identifier(pos: number): Token {
    const s = this.src;
    let i = pos + 1;
    // Stop before '/*' so that a glued comment is reported as a comment, not swallowed into the name.
    while (i < s.length && isIdentPart(s.charCodeAt(i)) && !(s[i] === '/' && s[i + 1] === '*')) i++;
    this.offset = i;
    return { kind: 'ident', text: s.slice(pos, i), pos, end: i };
  }

  private number(pos: number): Token {
    const s = this.src;
    const digitAt = (i: number): boolean => i < s.length && isDigit(s.charCodeAt(i));
    let i = pos;
    if (s[i] === '-') i++;
    while (digitAt(i)) i++;
    let ok = true;
    if (s[i] === '.') {
      i++;
      ok = digitAt(i);
      while (digitAt(i)) i++;
    }
    if (ok && (s[i] === 'e' || s[i] === 'E')) {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      ok = digitAt(i);
      while (digitAt(i)) i++;
    }
    // A number running into letters, digits, '_' or '.' (`1Ki`, `1.2.3`, `1e`) is malformed as a whole.
    const glued = (j: number): boolean => j < s.length && (isIdentStart(s.charCodeAt(j)) || isDigit(s.charCodeAt(j)) || s[j] === '.');
    if (!ok || glued(i)) {
      while (glued(i)) i++;
      fail(`invalid number '${clip(s.slice(pos, i))}'`, pos);
    }
    const text = s.slice(pos, i);
    const value = Number(text);
    if (!Number.isFinite(value)) fail(`number '${clip(text)}' is out of range`, pos);
    this.offset = i;
    return { kind: 'number', value, text, pos };
  }

  private string(pos: number): Token {
    const s = this.src;
    const quote = s[pos];
    let value = '';
    let i = pos + 1;
    for (;;) {
      if (i >= s.length) fail('unterminated string starting', pos);
      const ch = s[i];
      const code = s.charCodeAt(i);
      if (ch === quote) {
        // Seed style: inside single quotes, '' stands for one quote.
        if (quote === "'" && s[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      if (isForbiddenControl(code)) fail(`control character U+${hex4(code)} is not allowed`, i);
      if (ch !== '\\') {
        value += ch;
        i++;
        continue;
      }
      const esc = s[i + 1];
      if (esc === undefined) fail('unterminated string starting', pos);
      if (isForbiddenControl(esc.charCodeAt(0))) fail(`control character U+${hex4(esc.charCodeAt(0))} is not allowed`, i + 1);
      if (esc === 'u') {
        const digits = s.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail(`invalid unicode escape '\\u${clip(digits.replace(/[^0-9a-zA-Z]/g, ''), 4)}' (expected 4 hex digits)`, i);
        const unit = parseInt(digits, 16);
        // An escaped NUL or other control would reach the database, which refuses NUL in text.
        if (isForbiddenControl(unit)) fail(`control character U+${hex4(unit)} is not allowed (written as '\\u${digits}')`, i);
        value += String.fromCharCode(unit);
        i += 6;
        continue;
      }
      const replacement = ESCAPES[esc];
      if (replacement === undefined) fail(`invalid escape sequence '\\${String.fromCodePoint(s.codePointAt(i + 1)!)}' in a string`, i);
      value += replacement;
      i += 2;
    }
    // \uD83D\uDE00 pairs are fine; a lone surrogate cannot be encoded as UTF-8 for the database.
    if (!value.isWellFormed()) fail('unpaired UTF-16 surrogate in the string starting', pos);
    this.offset = i;
    return { kind: 'string', value, raw: s.slice(pos, i), pos };
  }
}

/** Recursive descent over {@link Scanner}; depth is checked before every recursive step. */
class Parser {
  private depth = 0;
  private terms = 0;

  constructor(private readonly scanner: Scanner) {}

  parse(): SearchNode {
    const node = this.orExpr(undefined);
    const t = this.scanner.peek();
    if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) fail(`unmatched '${t.text}'`, t.pos);
    if (t.kind !== 'eof') fail(`expected 'and', 'or' or the end of the expression but found ${describe(t)}`, t.pos);
    return node;
  }

  /** `after` names what precedes the expected condition, for messages ("after 'and'"). */
  private orExpr(after: string | undefined): SearchNode {
    let left = this.andExpr(after);
    for (let t = this.scanner.peek(); keywordOf(t) === 'or'; t = this.scanner.peek()) {
      this.scanner.next();
      left = { kind: 'or', left, right: this.andExpr("'or'"), pos: t.pos };
    }
    return left;
  }

  private andExpr(after: string | undefined): SearchNode {
    let left = this.unary(after);
    for (let t = this.scanner.peek(); keywordOf(t) === 'and'; t = this.scanner.peek()) {
      this.scanner.next();
      left = { kind: 'and', left, right: this.unary("'and'"), pos: t.pos };
    }
    return left;
  }

  private unary(after: string | undefined): SearchNode {
    const t = this.scanner.peek();
    if (keywordOf(t) === 'not') {
      this.scanner.next();
      this.enter(t.pos);
      const operand = this.unary("'not'");
      this.depth--;
      return { kind: 'not', operand, pos: t.pos };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.scanner.next();
      this.enter(t.pos);
      const inner = this.orExpr("'('");
      const close = this.scanner.peek();
      if (close.kind !== 'punct' || close.text !== ')')
        fail(`expected ')' to match the '(' at position ${t.pos} but found ${describe(close)}`, close.pos);
      this.scanner.next();
      this.depth--;
      return inner;
    }
    return this.predicate(after);
  }

  private enter(pos: number): void {
    if (this.depth >= MAX_SEARCH_DEPTH)
      fail(`expression is nested too deeply (more than ${MAX_SEARCH_DEPTH} levels of parentheses and 'not')`, pos);
    this.depth++;
  }

  private predicate(after: string | undefined): SearchNode {
    const t = this.scanner.peek();
    const pos = t.pos;
    const leftLiteral = this.literal(t);
    if (leftLiteral) return this.literalOnLeft(leftLiteral);
    if (t.kind !== 'ident' || OPERATOR_KEYWORDS.has(t.text.toLowerCase()))
      fail(`expected a condition${after ? ` after ${after}` : ''} but found ${describe(t)}`, pos);
    this.scanner.next();
    this.countTerm(pos);
    if (this.scanner.parenFollows(t.end)) fail(`unsupported function call '${clip(t.text)}(...)'`, pos);
    const field: FieldRef = { text: t.text, pos };

    const o = this.scanner.peek();
    if (o.kind === 'op') {
      this.scanner.next();
      return { kind: 'compare', op: o.op, field, value: this.value(`'${o.text}'`), pos };
    }
    let negated = false;
    let kw = keywordOf(o);
    if (kw === 'not') {
      this.scanner.next();
      negated = true;
      const after = this.scanner.peek();
      kw = keywordOf(after);
      if (kw !== 'in' && kw !== 'like' && kw !== 'ilike' && kw !== 'between')
        fail(`expected 'in', 'like', 'ilike' or 'between' after 'not' but found ${describe(after)}`, after.pos);
    }
    const prefix = negated ? 'not ' : '';
    switch (kw) {
      case 'in':
        this.scanner.next();
        return { kind: 'in', negated, field, values: this.list(`'${prefix}in'`), pos };
      case 'like':
      case 'ilike': {
        this.scanner.next();
        const p = this.scanner.peek();
        if (p.kind !== 'string') fail(`expected a string pattern after '${prefix}${kw}' but found ${describe(p)}`, p.pos);
        this.scanner.next();
        const pattern: Literal = { type: 'string', value: p.value, pos: p.pos };
        return { kind: 'like', negated, caseInsensitive: kw === 'ilike', field, pattern, pos };
      }
      case 'between': {
        this.scanner.next();
        const low = this.value(`'${prefix}between'`);
        const and = this.scanner.peek();
        if (keywordOf(and) !== 'and') fail(`expected 'and' between the bounds of 'between' but found ${describe(and)}`, and.pos);
        this.scanner.next();
        const high = this.value("'and'");
        return { kind: 'between', negated, field, low, high, pos };
      }
      case 'is': {
        this.scanner.next();
        let n = this.scanner.peek();
        if (keywordOf(n) === 'not') {
          this.scanner.next();
          n = this.scanner.peek();
          if (keywordOf(n) !== 'null') fail(`expected 'null' after 'is not' but found ${describe(n)}`, n.pos);
          this.scanner.next();
          return { kind: 'isNull', negated: true, field, pos };
        }
        if (keywordOf(n) !== 'null') fail(`expected 'null' or 'not null' after 'is' but found ${describe(n)}`, n.pos);
        this.scanner.next();
        return { kind: 'isNull', negated: false, field, pos };
      }
    }
    fail(`expected an operator after field '${clip(field.text)}' but found ${describe(o)}`, o.pos);
  }

  /** `'x' = name`: only the comparison operators make sense with the value first. */
  private literalOnLeft(value: Literal): SearchNode {
    this.scanner.next();
    this.countTerm(value.pos);
    const o = this.scanner.peek();
    if (o.kind !== 'op') fail(`expected a comparison operator after the value but found ${describe(o)}`, o.pos);
    this.scanner.next();
    const f = this.scanner.peek();
    if (f.kind !== 'ident' || OPERATOR_KEYWORDS.has(f.text.toLowerCase()) || LITERAL_KEYWORDS.has(f.text.toLowerCase()))
      fail(`expected a field name after '${o.text}' but found ${describe(f)}`, f.pos);
    this.scanner.next();
    if (this.scanner.parenFollows(f.end)) fail(`unsupported function call '${clip(f.text)}(...)'`, f.pos);
    return { kind: 'compare', op: FLIPPED[o.op], field: { text: f.text, pos: f.pos }, value, pos: value.pos };
  }

  private countTerm(pos: number): void {
    if (++this.terms > MAX_SEARCH_TERMS) fail(`too many conditions (more than ${MAX_SEARCH_TERMS})`, pos);
  }

  private literal(t: Token): Literal | undefined {
    switch (t.kind) {
      case 'string':
        return { type: 'string', value: t.value, pos: t.pos };
      case 'number':
        return { type: 'number', value: t.value, text: t.text, pos: t.pos };
      case 'ident':
        switch (t.text.toLowerCase()) {
          case 'true':
            return { type: 'boolean', value: true, pos: t.pos };
          case 'false':
            return { type: 'boolean', value: false, pos: t.pos };
          case 'null':
            return { type: 'null', pos: t.pos };
        }
    }
    return undefined;
  }

  /** A literal where one is required; `after` names what precedes it, for messages. */
  private value(after: string): Literal {
    const t = this.scanner.peek();
    const lit = this.literal(t);
    if (lit) {
      this.scanner.next();
      return lit;
    }
    if (t.kind === 'ident' && !OPERATOR_KEYWORDS.has(t.text.toLowerCase()) && this.scanner.parenFollows(t.end))
      fail(`unsupported function call '${clip(t.text)}(...)'`, t.pos);
    return fail(`expected a value after ${after} but found ${describe(t)}`, t.pos);
  }

  private list(after: string): Literal[] {
    const open = this.scanner.peek();
    if (open.kind !== 'punct' || (open.text !== '(' && open.text !== '['))
      fail(`expected '(' or '[' to start a list after ${after} but found ${describe(open)}`, open.pos);
    this.scanner.next();
    // D7: seed clients send ('a','b'), newer ones ['a','b']; the closer must match the opener.
    const close = open.text === '(' ? ')' : ']';
    const first = this.scanner.peek();
    if (first.kind === 'punct' && first.text === close) fail(`expected at least one value in the list but found '${close}'`, first.pos);
    const values: Literal[] = [];
    for (;;) {
      const item = this.scanner.peek();
      if (values.length >= MAX_LIST_ITEMS) fail(`too many values in the list (more than ${MAX_LIST_ITEMS})`, item.pos);
      values.push(this.value(values.length === 0 ? `'${open.text}'` : "','"));
      const sep = this.scanner.peek();
      if (sep.kind === 'punct' && sep.text === ',') {
        this.scanner.next();
        continue;
      }
      if (sep.kind === 'punct' && sep.text === close) {
        this.scanner.next();
        return values;
      }
      fail(`expected ',' or '${close}' in the list but found ${describe(sep)}`, sep.pos);
    }
  }
}

/**
 * Parses a `search` expression into a {@link SearchNode} tree.
 *
 * Keywords are case-insensitive; field names are returned verbatim and not checked against any
 * schema. Limits: {@link MAX_SEARCH_LENGTH} characters, {@link MAX_SEARCH_DEPTH} nesting levels,
 * {@link MAX_SEARCH_TERMS} predicates, {@link MAX_LIST_ITEMS} list values.
 *
 * @param text the raw query-parameter value
 * @returns the expression tree; positions are 0-based UTF-16 offsets into `text`
 * @throws {SearchSyntaxError} for every malformed, unsupported or over-limit input (and nothing else)
 */
export function parseSearch(text: string): SearchNode {
  // Guards the runtime boundary: a query parameter can arrive as an array.
  if (typeof text !== 'string') throw new SearchSyntaxError('search expression must be a string at position 0', 0);
  // Checked first so that no work at all is spent on oversized input.
  if (text.length > MAX_SEARCH_LENGTH)
    fail(`search expression is too long (${text.length} characters; the maximum is ${MAX_SEARCH_LENGTH})`, MAX_SEARCH_LENGTH);
  // Blank means only space/tab/CR/LF; other invisible characters get a precise error from the scanner.
  if (/^[ \t\r\n]*$/.test(text)) throw new SearchSyntaxError('search expression is empty', 0);
  return new Parser(new Scanner(text)).parse();
}
