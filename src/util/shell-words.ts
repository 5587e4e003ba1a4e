// A shell command line (`cd /srv && ./x 2>&1 | logger`) cut into its simple commands, as sh would cut it,
// without expanding anything: enough to see which programs a crontab line runs. One pass, linear in the line.

/** `>`, `2>&1`, `&>>`, `<<<`...: a redirection, whose target (the next word) is no argument of the command. */
const REDIRECTION = /(?:\d+)?(?:&>>|&>|>>|>&|>\||<<<|<<-|<<|<>|<&|>|<)/y;
/** What ends a simple command: `&&`, `||`, `;`, `|`, `&`, a newline, and the parentheses of a subshell. */
const SEPARATORS = new Set(['&', '|', ';', '(', ')', '\n']);

/**
 * The words of each simple command in `line`, in order, quotes and backslashes removed, redirections and
 * their targets left out. `$(...)`, `${...}` and backquotes stay inside the word that holds them. Lazy: a
 * caller that stops at the first command it wants reads no further.
 */
export function* simpleCommands(line: string): Generator<string[]> {
  let current: string[] = [];
  let word = '';
  let inWord = false;
  let dropNext = false;
  const endWord = () => {
    if (inWord && !dropNext) current.push(word);
    if (inWord) dropNext = false;
    word = '';
    inWord = false;
  };
  let i = 0;
  while (i < line.length) {
    const char = line[i]!;
    if (char === '<' || char === '>' || (!inWord && (char === '&' || (char >= '0' && char <= '9')))) {
      REDIRECTION.lastIndex = i;
      // `2>` is a redirection only at a word's start; `a2>x` is the word `a2`, then `>x`.
      if (REDIRECTION.test(line)) {
        endWord();
        dropNext = true;
        i = REDIRECTION.lastIndex;
        continue;
      }
    }
    if (char === ' ' || char === '\t') {
      endWord();
      i++;
    } else if (SEPARATORS.has(char)) {
      endWord();
      if (current.length > 0) yield current;
      current = [];
      dropNext = false;
      i++;
    } else if (char === '#' && !inWord) {
      const newline = line.indexOf('\n', i);
      i = newline === -1 ? line.length : newline;
    } else {
      inWord = true;
      const [text, next] = wordPart(line, i);
      word += text;
      i = next;
    }
  }
  endWord();
  if (current.length > 0) yield current;
}

/** A run of characters that mean nothing to the shell: taken whole, not one by one. */
const PLAIN = /[^ \t\n'"\\`$&|;()<>]+/y;

/** The text of the word part at `i` (a quoted string, an escape, an expansion, or one character) and where it ends. */
function wordPart(line: string, i: number): [string, number] {
  const char = line[i]!;
  if (char === "'") {
    const end = line.indexOf("'", i + 1);
    return end === -1 ? [line.slice(i + 1), line.length] : [line.slice(i + 1, end), end + 1];
  }
  if (char === '"') {
    let text = '';
    let j = i + 1;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j++;
      text += line[j] ?? '';
    }
    return [text, j + 1];
  }
  if (char === '\\') return line[i + 1] === '\n' ? ['', i + 2] : [line[i + 1] ?? '', i + 2];
  if (char === '`') {
    const end = line.indexOf('`', i + 1);
    return end === -1 ? [line.slice(i), line.length] : [line.slice(i, end + 1), end + 1];
  }
  if (char === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
    const [open, close] = line[i + 1] === '(' ? ['(', ')'] : ['{', '}'];
    let depth = 0;
    let j = i + 1;
    for (; j < line.length; j++) {
      if (line[j] === open) depth++;
      else if (line[j] === close && --depth === 0) break;
    }
    return [line.slice(i, j + 1), j + 1];
  }
  PLAIN.lastIndex = i;
  return PLAIN.test(line) ? [line.slice(i, PLAIN.lastIndex), PLAIN.lastIndex] : [char, i + 1];
}
