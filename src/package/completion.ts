// Bash completion for cronwrap, generated from the option table and the subcommand list.
import { OPTIONS } from '../config/options.js';
import { SUBCOMMANDS } from '../commands/index.js';
import { subcommandFlags } from '../cli/parse-args.js';

export function bashCompletion(): string {
  // The subcommands that take a job name, completed from the jobs with a history here; a group's actions after its name.
  const takesJob = SUBCOMMANDS.flatMap((entry) => ('takesJob' in entry && entry.takesJob ? [entry.name] : []));
  const actions = SUBCOMMANDS.flatMap((entry) => {
    if (!('actions' in entry)) return [];
    const words = entry.actions.map((action) => action.name.slice(entry.name.length + 1));
    return [`    ${entry.name})\n        if ((COMP_CWORD == 2)); then COMPREPLY=($(compgen -W "${words.join(' ')}" -- "$cur")); return; fi\n        ;;\n`];
  });
  const flags = ['--help', '--version', ...OPTIONS.flatMap((spec) => (spec.flags ? [...spec.flags.matchAll(/--[\w-]+/g)].map((m) => m[0]) : []))];
  // After a subcommand (a group's: after its action), the flags it takes; else wrap mode's.
  const own = SUBCOMMANDS.map((entry) => {
    if (!('actions' in entry)) return `    ${entry.name}) flags="${subcommandFlags(entry).join(' ')}" ;;\n`;
    const actions = entry.actions.map((action) => `        ${action.name.slice(entry.name.length + 1)}) flags="${subcommandFlags(action).join(' ')}" ;;\n`);
    return `    ${entry.name})\n        case \${COMP_WORDS[2]} in\n${actions.join('')}        esac\n        ;;\n`;
  });
  return `# bash completion for cronwrap(1), generated from its option table.
_cronwrap() {
    local cur=\${COMP_WORDS[COMP_CWORD]} word i
    COMPREPLY=()
    # After --, the rest is the command and its own arguments.
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ \${COMP_WORDS[i]} == -- ]]; then
            if ((i == COMP_CWORD - 1)); then COMPREPLY=($(compgen -c -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
            return
        fi
    done
    if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "${SUBCOMMANDS.map((entry) => entry.name).join(' ')}" -- "$cur"))
        return
    fi
    word=\${COMP_WORDS[1]}
    case $word in
    ${takesJob.join('|')})
        if ((COMP_CWORD == 2)); then
            local dir=\${CRONWRAP_STATE_DIR:-/var/lib/cronwrap}/history jobs
            jobs=$(cd "$dir" 2>/dev/null && for f in *.jsonl; do [[ -e $f ]] && printf '%s\\n' "\${f%.jsonl}"; done)
            COMPREPLY=($(compgen -W "$jobs" -- "$cur"))
            return
        fi
        ;;
${actions.join('')}    esac
    local flags="${flags.join(' ')}"
    case $word in
${own.join('')}    esac
    case $cur in
    -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}
complete -F _cronwrap cronwrap
`;
}
