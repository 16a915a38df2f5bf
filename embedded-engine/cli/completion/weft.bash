# bash completion for weft (installed as share/bash-completion/completions/weft; or `source` it).
# Commands and options are read from `weft … --help` of the weft being completed, so they always
# match that weft (CLI11 cannot write a completion script); only the state types are listed here.

# Prints "sub NAME", "opt NAME TYPE" (TYPE is "-" for a flag) and "pos NAME" lines for the help of
# the command line given as arguments.
_weft_describe() {
    "$@" --help 2>/dev/null | awk '
        /^[^ ].*:$/ { section = $0; next }
        section == "Subcommands:" && /^  [^ ]/ { print "sub", $1; next }
        section == "Positionals:" && /^  [^ ]/ { print "pos", $1; next }
        section == "Options:" && /^  -/ {
            left = substr($0, 3); i = index(left, "  "); if (i) left = substr(left, 1, i - 1)
            n = split(left, part, " ")
            type = (n > 1 && part[2] !~ /^\(/) ? part[2] : "-"
            m = split(part[1], name, ",")
            for (k = 1; k <= m; k++) print "opt", name[k], type
        }'
}

# Reads the help of "${path[@]}" into the caller's subs and positionals; adds to its types.
_weft_read() {
    subs=() positionals=()
    local kind name type
    while read -r kind name type; do
        case $kind in
            sub) subs+=("$name") ;;
            pos) positionals+=("$name") ;;
            opt) types[$name]=$type ;;
        esac
    done < <(_weft_describe "${path[@]}")
}

_weft() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} word i
    local -a path=("${COMP_WORDS[0]}") subs=() positionals=()
    local -A types=() # options of the command and its parents (they fall through), by name
    _weft_read
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            [[ ${types[$word]:--} != - ]] && ((i++)) # its value is not a command
        elif [[ " ${subs[*]} " == *" $word "* ]]; then
            path+=("$word")
            _weft_read
        fi
    done

    if [[ $prev == -* && ${types[$prev]:--} != - ]]; then # the value of an option
        case ${types[$prev]} in
            *STATE_TYPE*)
                COMPREPLY=($(compgen -W "SCHEDULED PENDING RUNNING COMPLETED FAILED CANCELLED
                                         CRASHED PAUSED CANCELLING" -- "${cur^^}")) ;;
            *PATH* | *FILE*) COMPREPLY=($(compgen -f -- "$cur")) ;;
            *) COMPREPLY=() ;;
        esac
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${!types[*]}" -- "$cur"))
    elif ((${#subs[@]})); then
        COMPREPLY=($(compgen -W "${subs[*]}" -- "$cur"))
    elif [[ " ${positionals[*]} " == *" PATH "* ]]; then # weft new PATH
        COMPREPLY=($(compgen -d -- "$cur"))
    else
        COMPREPLY=() # run ids and the like: nothing to offer
    fi
}
complete -F _weft weft
