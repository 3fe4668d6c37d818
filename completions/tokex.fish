# fish completion for tokex. Installed in fish's vendor_completions.d it
# loads by itself; otherwise `source completions/tokex.fish`.
#
# tokex answers `tokex __complete -- WORD...` (the words after "tokex" up
# to the cursor) from its command table and the config the line would
# read: commands, flags, profiles and secret names are never listed here,
# so new ones appear by themselves. The answer's first line says what to
# do: "words" (the candidates follow, one a line), "files", or "command N"
# (complete the line from word N on as a command of its own); nothing at
# all means nothing to offer.

function __tokex_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l prog $tokens[1]
    set -l answer (command $prog __complete -- $tokens[2..-1] $current 2>/dev/null)
    switch "$answer[1]"
        case words
            printf '%s\n' $answer[2..-1]
        case files
            set -l file (string replace -r -- '^--config=' '' $current)
            set -l before (string sub -l (math (string length -- "$current") - (string length -- "$file")) -- "$current")
            for f in (__fish_complete_path $file)
                printf '%s\n' "$before$f"
            end
        case 'command *'
            set -l n (string split ' ' -- $answer[1])[2]
            set -l rest $tokens[(math $n + 2)..-1]
            complete -C (string join ' ' -- (string escape -- $rest) "$current")
    end
end

complete -c tokex -f -a '(__tokex_complete)'
complete -c git-credential-tokex -f -a 'get store erase'
complete -c docker-credential-tokex -f -a 'get store erase list version'
