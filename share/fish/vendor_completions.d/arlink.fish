function __arlink_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __arlink_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __arlink_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __arlink_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __arlink_parse_tokens -S
    set -l unparsed_tokens (__arlink_tokens -pc)
    switch $unparsed_tokens[1]
    case 'arlink'
        __arlink_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __arlink_parse_subcommand 0 'config=' 'log-format=' 'version' 'h/help'
        case 'outbound'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'partner=' 'as-of=' 'dry-run' 'allow-mass-recall' 'allow-backdated' 'version' 'h/help'
            end
        case 'inbound'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'partner=' 'dry-run' 'version' 'h/help'
            end
        case 'envelope'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'seal'
                __arlink_parse_subcommand 0 'in=' 'out=' 'format=' 'sign-cert=' 'sign-key=' 'to=+' 'armor' 'compression=' 'passphrase-file=' 'passphrase-env=' 'version' 'h/help'
            case 'open'
                __arlink_parse_subcommand 0 'in=' 'out=' 'format=' 'cert=' 'key=' 'trust=+' 'ca=' 'crl=' 'partner=' 'allow-cbc' 'legacy-key-transport=+' 'passphrase-file=' 'passphrase-env=' 'max-ratio=' 'version' 'h/help'
            case 'inspect'
                __arlink_parse_subcommand 0 'in=' 'format=' 'version' 'h/help'
            end
        case 'keys'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'version' 'h/help'
            end
        case 'config'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'version' 'h/help'
            end
        case 'layout'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __arlink_parse_subcommand 0 'layout=' 'sample=' 'direction=' 'log-format=' 'version' 'h/help'
            end
        case 'transport'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'test'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'partner=' 'version' 'h/help'
            end
        case 'audit'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __arlink_parse_subcommand 0 'config=' 'checkpoints=' 'witness=' 'version' 'h/help'
            case 'prove'
                __arlink_parse_subcommand 0 'config=' 'file-id=' 'tree-size=' 'output=' 'version' 'h/help'
            case 'check-proof'
                __arlink_parse_subcommand 0 'proof=' 'checkpoint=' 'key=' 'origin=' 'version' 'h/help'
            case 'report'
                __arlink_parse_subcommand 0 'config=' 'from=' 'to=' 'format=' 'output=' 'checkpoints=' 'version' 'h/help'
            case 'export'
                __arlink_parse_subcommand 0 'config=' 'from=' 'to=' 'out=' 'version' 'h/help'
            case 'check-export'
                __arlink_parse_subcommand 1 'key=' 'origin=' 'version' 'h/help'
            case 'prune'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'dry-run' 'version' 'h/help'
            case 'recover'
                __arlink_parse_subcommand 0 'config=' 'log-format=' 'reference=' 'version' 'h/help'
            end
        case 'privacy'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'report'
                __arlink_parse_subcommand 0 'config=' 'from=' 'to=' 'format=' 'output=' 'version' 'h/help'
            case 'subject'
                __arlink_parse_subcommand 0 'config=' 'account=' 'erase' 'version' 'h/help'
            case 'breach'
                __arlink_parse_subcommand 0 'config=' 'from=' 'to=' 'partner=' 'format=' 'output=' 'version' 'h/help'
            end
        case 'report'
            __arlink_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'kpi'
                __arlink_parse_subcommand 0 'config=' 'from=' 'to=' 'partner=' 'format=' 'output=' 'version' 'h/help'
            end
        case 'demo'
            __arlink_parse_subcommand 0 'workdir=' 'keys=' 'customers=' 'open-items=' 'envelope=' 'layout=' 'log-format=' 'version' 'h/help'
        case 'serve'
            __arlink_parse_subcommand 0 'config=' 'log-format=' 'status-interval=' 'version' 'h/help'
        case 'status'
            __arlink_parse_subcommand 0 'config=' 'log-format=' 'version' 'h/help'
        case 'help'
            __arlink_parse_subcommand -r 1 'version'
        end
    end
end

function __arlink_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __arlink_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __arlink_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __arlink_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__arlink_tokens -p)
    if test -z "$(__arlink_tokens -t)"
        set -l index (count (__arlink_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'arlink' -f
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'init' -d 'Create the state database and the ERP import folder (once, on purpose).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'outbound' -d 'Place overdue accounts with collection partners.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'inbound' -d 'Receive partner feedback, reconcile it, and write ERP status updates.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'envelope' -d 'Seal, open or inspect an envelope: CMS (SignedData inside AuthEnvelopedData, AES-256-GCM) or OpenPGP (signed, SEIPD v1 + MDC, AES-256).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'keys' -d 'Check keys and certificates.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'config' -d 'Check the configuration.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'layout' -d 'Check partner file layouts.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'transport' -d 'Check the transport to a partner.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'audit' -d 'Verify the audit log, prove a transfer, check a proof, report a period.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'privacy' -d 'Personal-data duties: transfers per partner and basis, a data subject\'s record and erasure, breach lists.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'report' -d 'Reports for the finance team.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'demo' -d 'Run the whole gateway end to end in a folder, on sample data and the EXAMPLE keys.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'serve' -d 'Run the configured schedules as a service, with /healthz, /readyz, /metrics and /status.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'status' -d 'Show each partner\'s last runs, pending, held, quarantined and parked files, next runs and certificate expiries.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink init" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink init" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink init" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink outbound" -eq 1' -fa 'run' -d 'Select, write, seal and deliver today\'s portfolio (safe to repeat).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" partner' -l 'partner' -d 'Only this partner (default: every configured partner).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" as-of' -l 'as-of' -d 'The as-of date, YYYY-MM-DD (default: today, UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" dry-run' -l 'dry-run' -d 'Print what would be placed, updated, recalled and excluded (by reason), and write nothing.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" allow-mass-recall' -l 'allow-mass-recall' -d 'Build the batch even if it recalls more than the partner\'s max_recall_share or max_recalls (audited).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" allow-backdated' -l 'allow-backdated' -d 'Allow an --as-of date before a partner\'s latest batch (its selection recalls accounts eligible today).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink outbound run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink inbound" -eq 1' -fa 'run' -d 'Fetch, open, check, reconcile and apply every new feedback file (safe to repeat).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" partner' -l 'partner' -d 'Only this partner (default: every configured partner).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" dry-run' -l 'dry-run' -d 'Fetch, open, check and reconcile on a copy of the state, and report what would be applied, rejected, held or quarantined; apply, write, move and send nothing.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink inbound run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink envelope" -eq 1' -fa 'seal' -d 'Sign a file and encrypt it to one or more recipients.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink envelope" -eq 1' -fa 'open' -d 'Decrypt an envelope and verify its signature against pinned certificates.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink envelope" -eq 1' -fa 'inspect' -d 'Show content types, algorithms, recipients and signer without decrypting.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" in' -l 'in' -d 'The plaintext file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" out' -l 'out' -d 'Where the envelope (DER, or an OpenPGP message) is written.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" format' -l 'format' -d 'cms (default) or openpgp.' -rfka 'cms openpgp'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" sign-cert' -l 'sign-cert' -d 'CMS: our signing certificate (EC P-256 or RSA >= 3072).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" sign-key' -l 'sign-key' -d 'Our signing private key (mode 0600); for openpgp an OpenPGP secret key file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal"' -l 'to' -d 'A recipient certificate (repeat: the partner and our archive); for openpgp an OpenPGP certificate file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" armor' -l 'armor' -d 'OpenPGP: ASCII armour instead of binary packets.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" compression' -l 'compression' -d 'OpenPGP: compression, none (default) or zlib.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" passphrase-file' -l 'passphrase-file' -d 'File whose first line is the private key\'s passphrase (mode 0600).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" passphrase-env' -l 'passphrase-env' -d 'Environment variable holding the private key\'s passphrase.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope seal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" in' -l 'in' -d 'The envelope.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" out' -l 'out' -d 'Where the plaintext is written (only when every check passes).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" format' -l 'format' -d 'cms (default) or openpgp.' -rfka 'cms openpgp'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" cert' -l 'cert' -d 'CMS: our decryption certificate.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" key' -l 'key' -d 'Our decryption private key (mode 0600); for openpgp an OpenPGP secret key file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open"' -l 'trust' -d 'A pinned signer certificate (repeat for rotation overlap); for openpgp an OpenPGP certificate file, pinned by its primary-key fingerprint.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" ca' -l 'ca' -d 'The partner\'s CA: it must validate the pinned signer\'s chain; alone (no --trust), any signer it issued is trusted.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" crl' -l 'crl' -d 'A CRL file checked for the signer.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" partner' -l 'partner' -d 'The partner\'s name, for messages.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" allow-cbc' -l 'allow-cbc' -d 'Accept AES-CBC EnvelopedData (a partner exception; warns).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open"' -l 'legacy-key-transport' -d 'Accept a weak key transport (a partner exception; warns; repeatable): rsa_pkcs1v15, rsa_oaep_sha1 or ecdh_sha1_kdf.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" passphrase-file' -l 'passphrase-file' -d 'File whose first line is the private key\'s passphrase (mode 0600).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" passphrase-env' -l 'passphrase-env' -d 'Environment variable holding the private key\'s passphrase.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" max-ratio' -l 'max-ratio' -d 'OpenPGP: the largest plaintext as a multiple of the message\'s size (a compression bomb is refused).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope open" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope inspect" in' -l 'in' -d 'The envelope or signed file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope inspect" format' -l 'format' -d 'cms (default) or openpgp.' -rfka 'cms openpgp'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope inspect" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink envelope inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink keys" -eq 1' -fa 'check' -d 'One row per key and certificate: role, subject, fingerprint, expiry, usage, permissions, pairing.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys check" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys check" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys check" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink keys check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink config" -eq 1' -fa 'check' -d 'Load, validate and resolve the configuration, check what a run needs, and print the effective configuration.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config check" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config check" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config check" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink config check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink layout" -eq 1' -fa 'check' -d 'Check a layout file (or a built-in layout) and read a sample data file through it.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" layout' -l 'layout' -d 'A layout file (.yaml) or a built-in layout (latitude-aim, latitude-aim-pipe).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" sample' -l 'sample' -d 'A data file to read through the layout.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" direction' -l 'direction' -d 'in (feedback, agency to us) or out (portfolio, us to the agency); inferred from a layout file\'s records.' -rfka 'in out'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" log-format' -l 'log-format' -d 'Output: human (default) or json (one JSON object on stdout).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink layout check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink transport" -eq 1' -fa 'test' -d 'Connect, show the pinned and presented host key, check the folders, list the outbox, upload and remove a probe file.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport test" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport test" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport test" partner' -l 'partner' -d 'The partner id, as in the configuration\'s partners list.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport test" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink transport test" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'verify' -d 'Recompute the Merkle tree, check every checkpoint and the exported checkpoint file.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'prove' -d 'Print an inclusion proof (JSON) for the entries of one transfer against the newest checkpoint.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'check-proof' -d 'Check an inclusion proof with only a checkpoint and the audit public key (no database).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'report' -d 'List transfers, refusals, exceptions and the log\'s status for a period (UTC days, inclusive).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'export' -d 'Write a verifiable export of a period for an auditor: entries with inclusion proofs, checkpoints, consistency proofs, a README.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'check-export' -d 'Check an audit export with only the audit public key and the log\'s origin (no database).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'prune' -d 'Remove the content of audit entries older than audit.retention_days, keeping the log verifiable.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink audit" -eq 1' -fa 'recover' -d 'Let jobs run again after the audit log stopped extending its newest checkpoint, recording what happened.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit verify" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit verify" checkpoints' -l 'checkpoints' -d 'The exported checkpoint file to compare with (default: audit.checkpoint_file of the configuration).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit verify" witness' -l 'witness' -d 'A folder of checkpoint notes partners hold (files ending in .note or .txt, one note or a whole checkpoint file each, searched recursively); each must be ours and match the log.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" file-id' -l 'file-id' -d 'The transfer\'s file id.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" tree-size' -l 'tree-size' -d 'Prove against the stored checkpoint of this tree size (default: the newest).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" output' -l 'output' -d 'Write the proof here instead of standard output.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" proof' -l 'proof' -d 'The proof made by `arlink audit prove`.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" checkpoint' -l 'checkpoint' -d 'A signed checkpoint of the proof\'s tree size: one note, or the exported checkpoint file.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" key' -l 'key' -d 'The audit public key (PEM).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" origin' -l 'origin' -d 'The log\'s origin (audit.origin), which is also the name of its key; the name written in the note is not trusted.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-proof" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" from' -l 'from' -d 'First day, YYYY-MM-DD (UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" to' -l 'to' -d 'Last day, YYYY-MM-DD (UTC), inclusive.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" format' -l 'format' -d 'csv, json or html.' -rfka 'csv json html'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" output' -l 'output' -d 'Write the report here instead of standard output.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" checkpoints' -l 'checkpoints' -d 'Check the log against this copy of the checkpoint file (the write-once copy) instead of the configured one.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" from' -l 'from' -d 'First day, YYYY-MM-DD (UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" to' -l 'to' -d 'Last day, YYYY-MM-DD (UTC), inclusive.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" out' -l 'out' -d 'A new folder for the export.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-export" key' -l 'key' -d 'The audit public key (PEM).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-export" origin' -l 'origin' -d 'The log\'s origin (audit.origin), which is also the name of its key.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-export" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit check-export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prune" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prune" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prune" dry-run' -l 'dry-run' -d 'Say what would be pruned and change nothing.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prune" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit recover" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit recover" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit recover" reference' -l 'reference' -d 'A ticket or case id to record with the recovery (printable ASCII, no spaces).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit recover" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink audit recover" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink privacy" -eq 1' -fa 'report' -d 'Per partner and country: debtors whose data left, which fields, on which basis, and what came back (UTC days, inclusive).'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink privacy" -eq 1' -fa 'subject' -d 'Everything arlink holds and has sent about one debtor (JSON); --erase recalls the account everywhere and removes its personal data from our work files.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink privacy" -eq 1' -fa 'breach' -d 'The accounts whose data each partner held or received in a window: the list for a breach notification.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" from' -l 'from' -d 'First day, YYYY-MM-DD (UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" to' -l 'to' -d 'Last day, YYYY-MM-DD (UTC), inclusive.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" format' -l 'format' -d 'csv, json or html.' -rfka 'csv json html'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" output' -l 'output' -d 'Write the report here instead of standard output.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy subject" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy subject" account' -l 'account' -d 'The debtor\'s account reference (the ERP customer id).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy subject" erase' -l 'erase' -d 'Erase: recall from every partner (erasure_request), scrub our work files, audit it.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy subject" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy subject" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" from' -l 'from' -d 'Window start: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" to' -l 'to' -d 'Window end, inclusive: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (UTC).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" partner' -l 'partner' -d 'Only this partner.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" format' -l 'format' -d 'csv or json.' -rfka 'csv json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" output' -l 'output' -d 'Write the list here instead of standard output.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink privacy breach" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_positional "arlink report" -eq 1' -fa 'kpi' -d 'Collection KPIs for a period (UTC days, inclusive): placements, recovery, promises, disputes, risk, data quality, receivables and DSO.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" from' -l 'from' -d 'First day, YYYY-MM-DD.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" to' -l 'to' -d 'Last day, YYYY-MM-DD, inclusive.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" partner' -l 'partner' -d 'Only this partner (default: every configured partner).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" format' -l 'format' -d 'html, json or csv.' -rfka 'html json csv'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" output' -l 'output' -d 'Write the report here instead of standard output.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink report kpi" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" workdir' -l 'workdir' -d 'The folder to create (refused if it exists and was not made by arlink demo).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" keys' -l 'keys' -d 'Where the example keys are (default: keys-example/ in the current folder or beside the arlink build).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" customers' -l 'customers' -d 'Customers in the sample extract.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" open-items' -l 'open-items' -d 'Open items in the sample extract.' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" envelope' -l 'envelope' -d 'The partner\'s envelope: cms (openssl plays the partner) or openpgp (gpg plays the partner).' -rfka 'cms openpgp'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" layout' -l 'layout' -d 'A partner layout the simulated agency speaks both ways: latitude-aim or latitude-aim-pipe (docs/layouts.md).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" log-format' -l 'log-format' -d 'Log output: human or json.' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink demo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink serve" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink serve" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink serve" status-interval' -l 'status-interval' -d 'Seconds between refreshes of the status, its gauges and the alert conditions (default 60).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink serve" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink status" config' -l 'config' -d 'The arlink configuration file (YAML).' -rfka ''
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink status" log-format' -l 'log-format' -d 'Log output: human (default) or json (one JSON object per line on stderr).' -rfka 'human json'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink status" version' -l 'version' -d 'Show the version.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'arlink' -n '__arlink_should_offer_completions_for_flags_or_options "arlink help" version' -l 'version' -d 'Show the version.'
