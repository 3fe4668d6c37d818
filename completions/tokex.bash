# bash completion for tokex                                -*- shell-script -*-
#
# Installed in bash-completion's directory it loads by itself; otherwise
# `source completions/tokex.bash` (in ~/.bashrc, say). It needs no helper
# of the bash-completion package, and uses _command_offset when that is
# loaded, for the CMD of `tokex exec PROFILE -- CMD...`.
#
# tokex answers `tokex __complete -- WORD...` (the words after "tokex" up
# to the cursor) from its command table and the config the line would
# read: commands, flags, profiles and secret names are never listed here,
# so new ones appear by themselves. The answer's first line says what to
# do: "words" (the candidates follow, one a line), "files", or "command N"
# (complete the line from word N on as a command of its own); nothing at
# all means nothing to offer.

# Splits the line up to the cursor into the words tokex will see: bash
# splits "--config=FILE" and "https://host" at COMP_WORDBREAKS, tokex does
# not. Sets _tokex_words (those words, the last one up to the cursor),
# _tokex_first (for each, the index in COMP_WORDS it starts at), _tokex_pos
# (for each index in COMP_WORDS, where it starts in COMP_LINE) and
# _tokex_frag (the part of the last word that bash replaces with a
# candidate).
_tokex_split() {
    local line=${COMP_LINE:0:COMP_POINT} i w pos=0 gap
    _tokex_words=() _tokex_first=() _tokex_pos=() _tokex_frag=
    for ((i = 0; i <= COMP_CWORD; i++)); do
        gap=0
        while [[ ${line:pos:1} == [[:space:]] ]]; do
            ((pos++, gap = 1))
        done
        w=${COMP_WORDS[i]}
        ((i == COMP_CWORD)) && w=${line:pos}
        if [[ ${line:pos:${#w}} != "$w" ]]; then
            # Not the line bash split (it cannot happen, but then the words are kept as they are).
            _tokex_words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
            _tokex_first=() _tokex_pos=()
            for ((i = 0; i <= COMP_CWORD; i++)); do
                _tokex_first+=("$i")
            done
            _tokex_frag=${COMP_WORDS[COMP_CWORD]}
            return
        fi
        _tokex_pos+=("$pos")
        if ((i > 0 && !gap)); then
            _tokex_words[${#_tokex_words[@]} - 1]+=$w
        else
            _tokex_words+=("$w")
            _tokex_first+=("$i")
        fi
        ((pos += ${#w}))
    done
    # Readline replaces only what follows the last word break: nothing,
    # when the word is "=" or ":" itself.
    local rest=$w
    while [[ -n $rest && $COMP_WORDBREAKS == *"${rest:0:1}"* ]]; do
        rest=${rest:1}
    done
    if [[ -n $rest ]]; then
        _tokex_frag=$w
    fi
}

# Sets REPLY to $1 without the shell's quotes and backslashes, as the
# word will reach tokex (no expansion: the line is not run).
_tokex_dequote() {
    local in=$1 c quote=
    REPLY=
    while [[ -n $in ]]; do
        c=${in:0:1} in=${in:1}
        if [[ $quote == "'" ]]; then
            if [[ $c == "'" ]]; then quote=; else REPLY+=$c; fi
        elif [[ $quote == '"' ]]; then
            if [[ $c == '"' ]]; then
                quote=
            elif [[ $c == '\' && -n $in && '"\$`' == *"${in:0:1}"* ]]; then
                REPLY+=${in:0:1} in=${in:1}
            else
                REPLY+=$c
            fi
        elif [[ $c == [\'\"] ]]; then
            quote=$c
        elif [[ $c == '\' ]]; then
            REPLY+=${in:0:1} in=${in:1}
        else
            REPLY+=$c
        fi
    done
}

# Completes the command line that starts at COMP_WORDS[$1], as bash would
# complete it alone (the CMD of tokex exec).
_tokex_command_at() {
    local at=$1
    if declare -F _command_offset >/dev/null; then
        _command_offset "$at"
        return
    fi
    if ((COMP_CWORD == at)); then
        mapfile -t COMPREPLY < <(compgen -c -- "$_tokex_frag" | sort -u)
        return
    fi
    local prog=${COMP_WORDS[at]} spec
    spec=$(complete -p -- "$prog" 2>/dev/null || complete -p -- "${prog##*/}" 2>/dev/null)
    if [[ $spec =~ [[:space:]]-F[[:space:]]+([^[:space:]]+) ]] && [[ -n ${_tokex_pos[at]-} ]]; then
        local func=${BASH_REMATCH[1]} start=${_tokex_pos[at]}
        local COMP_LINE=${COMP_LINE:start} COMP_POINT=$((COMP_POINT - start))
        local -a COMP_WORDS=("${COMP_WORDS[@]:at}")
        local COMP_CWORD=$((COMP_CWORD - at))
        "$func" "$prog" "$_tokex_frag" "${COMP_WORDS[COMP_CWORD - 1]}"
        return
    fi
    # No completion of its own: bash's default one (file names).
    compopt -o default 2>/dev/null
    COMPREPLY=()
}

_tokex() {
    local -a _tokex_words _tokex_first _tokex_pos answer
    local _tokex_frag
    COMPREPLY=()
    _tokex_split
    local cur=${_tokex_words[${#_tokex_words[@]} - 1]}
    # What bash will not replace: "--config=" when only the file name is
    # being completed (bash split the word at "=").
    local lead=${cur:0:${#cur}-${#_tokex_frag}}
    local prog=${COMP_WORDS[0]}
    [[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
    # The words before the one typed as tokex will get them; the one typed
    # as it is, since candidates replace it as written.
    local -a args=()
    local i REPLY
    for ((i = 1; i < ${#_tokex_words[@]} - 1; i++)); do
        _tokex_dequote "${_tokex_words[i]}"
        args+=("$REPLY")
    done
    mapfile -t answer < <(command "$prog" __complete -- "${args[@]}" "$cur" 2>/dev/null)
    local w
    case ${answer[0]-} in
    words)
        for w in "${answer[@]:1}"; do
            [[ $w == "$lead"* ]] && COMPREPLY+=("${w:${#lead}}")
        done
        ;;
    files)
        local file=${cur#--config=}
        local before=${cur:0:${#cur}-${#file}}
        compopt -o filenames 2>/dev/null
        while IFS= read -r w; do
            w=$before$w
            [[ $w == "$lead"* ]] && COMPREPLY+=("${w:${#lead}}")
        done < <(compgen -f -- "$file")
        ;;
    "command "*)
        local n=${answer[0]#command }
        [[ $n =~ ^[0-9]+$ && -n ${_tokex_first[n + 1]-} ]] && _tokex_command_at "${_tokex_first[n + 1]}"
        ;;
    esac
    return 0
}

complete -F _tokex tokex
complete -W "get store erase" git-credential-tokex
complete -W "get store erase list version" docker-credential-tokex
