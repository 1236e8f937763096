"""Option tables of the programs the default policies allow (see `options.Grammar`).

One entry per program or `program subcommand`. The tables list the options of
GNU coreutils, grep, ripgrep, sed, gawk, GNU make, tar, patch and git as their
manuals document them; an option missing here is refused, never guessed.
Options that change what kind of thing a command does (`sed -i` writes,
`git branch -D` deletes) are MODES: an allow rule must name them.
"""

from __future__ import annotations

# fmt: off
_GREP = (
    "-E|--extended-regexp -F|--fixed-strings -G|--basic-regexp -P|--perl-regexp -e|--regexp= "
    "-f|--file= -i|--ignore-case -y --no-ignore-case -v|--invert-match -w|--word-regexp "
    "-x|--line-regexp -c|--count --color|--colour? -L|--files-without-match "
    "-l|--files-with-matches -m|--max-count= -o|--only-matching -q|--quiet|--silent "
    "-s|--no-messages -b|--byte-offset -H|--with-filename -h|--no-filename --label= "
    "-n|--line-number -T|--initial-tab -u|--unix-byte-offsets -Z|--null -z|--null-data "
    "-A|--after-context= -B|--before-context= -C|--context= -a|--text --binary-files= "
    "-D|--devices= -d|--directories= --exclude= --exclude-from= --exclude-dir= -I --include= "
    "-r|--recursive -R|--dereference-recursive --line-buffered -U|--binary -V|--version --help"
)
_RG = (
    "-e|--regexp= -f|--file= --pre= --pre-glob= -z|--search-zip -s|--case-sensitive "
    "-i|--ignore-case -S|--smart-case -F|--fixed-strings --no-fixed-strings -v|--invert-match "
    "-w|--word-regexp -x|--line-regexp -c|--count --count-matches -l|--files-with-matches "
    "--files-without-match --files -n|--line-number -N|--no-line-number -H|--with-filename "
    "-I|--no-filename -o|--only-matching -p|--pretty -q|--quiet -m|--max-count= -g|--glob= "
    "--iglob= --glob-case-insensitive -t|--type= -T|--type-not= --type-list --type-add= "
    "--type-clear= -.|--hidden --no-hidden --no-ignore --ignore --no-ignore-vcs --ignore-vcs "
    "--no-ignore-dot --no-ignore-exclude --no-ignore-files --no-ignore-global "
    "--no-ignore-parent --no-require-git -u|--unrestricted -L|--follow --no-follow "
    "-d|--max-depth|--maxdepth= -M|--max-columns= --max-columns-preview --max-filesize= "
    "-j|--threads= --json --no-json --color= --colors= --column --no-column --heading "
    "--no-heading --trim --no-trim -r|--replace= -0|--null --null-data -a|--text --no-text "
    "--binary --no-binary -U|--multiline --no-multiline --multiline-dotall -P|--pcre2 "
    "--no-pcre2 --engine= --sort= --sortr= --stats --no-stats -b|--byte-offset --vimgrep "
    "--context-separator= --no-context-separator --field-match-separator= "
    "--field-context-separator= --path-separator= --passthru|--passthrough --line-buffered "
    "--block-buffered -E|--encoding= --no-encoding --crlf --no-crlf --debug --trace "
    "--ignore-file= --ignore-file-case-insensitive -h|--help -V|--version --no-config "
    "--one-file-system --no-messages --no-unicode --mmap --no-mmap --auto-hybrid-regex "
    "--dfa-size-limit= --regex-size-limit= --include-zero --hostname-bin= "
    "--hyperlink-format= --no-pcre2-unicode -A|--after-context= -B|--before-context= "
    "-C|--context= --pcre2-version --generate= --sort-files --line-regexp --word-regexp"
)
_SORT = (
    "-b|--ignore-leading-blanks -d|--dictionary-order -f|--ignore-case "
    "-g|--general-numeric-sort -i|--ignore-nonprinting -M|--month-sort "
    "-h|--human-numeric-sort -n|--numeric-sort -R|--random-sort --random-source= "
    "-r|--reverse -V|--version-sort --sort= -c|--check? -C -k|--key= -m|--merge -o|--output= "
    "-s|--stable -S|--buffer-size= -t|--field-separator= -T|--temporary-directory= "
    "--parallel= -u|--unique -z|--zero-terminated --files0-from= --compress-program= "
    "--debug --batch-size= --help --version"
)
_LS = (
    "-a|--all -A|--almost-all --author -b|--escape --block-size= -B|--ignore-backups -c -C "
    "--color? -d|--directory -D|--dired -f -F|--classify? --file-type --format= --full-time "
    "-g --group-directories-first -G|--no-group -h|--human-readable --si "
    "-H|--dereference-command-line --dereference-command-line-symlink-to-dir --hide= "
    "--hyperlink? --indicator-style= -i|--inode -I|--ignore= -k|--kibibytes -l "
    "-L|--dereference -m -n|--numeric-uid-gid -N|--literal -o -p -q|--hide-control-chars "
    "--show-control-chars -Q|--quote-name --quoting-style= -r|--reverse -R|--recursive "
    "-s|--size -S --sort= --time= --time-style= -t -T|--tabsize= -u -U -v -w|--width= -x "
    "-X -Z|--context --zero -1 --help --version"
)
_DIFF = (
    "-q|--brief -s|--report-identical-files -c -C|--context= -u -U|--unified= -e|--ed "
    "-n|--rcs -y|--side-by-side -W|--width= --left-column --suppress-common-lines "
    "-p|--show-c-function -F|--show-function-line= --label= -t|--expand-tabs "
    "-T|--initial-tab --tabsize= --suppress-blank-empty -l|--paginate -r|--recursive "
    "--no-dereference -N|--new-file --unidirectional-new-file --ignore-file-name-case "
    "--no-ignore-file-name-case -x|--exclude= -X|--exclude-from= -S|--starting-file= "
    "--from-file= --to-file= -i|--ignore-case -E|--ignore-tab-expansion "
    "-Z|--ignore-trailing-space -b|--ignore-space-change -w|--ignore-all-space "
    "-B|--ignore-blank-lines -I|--ignore-matching-lines= -a|--text --strip-trailing-cr "
    "-D|--ifdef= --old-group-format= --new-group-format= --unchanged-group-format= "
    "--changed-group-format= --line-format= --old-line-format= --new-line-format= "
    "--unchanged-line-format= -d|--minimal --horizon-lines= --speed-large-files --color? "
    "--palette= --normal --help -v|--version"
)
_SED = (
    "-n|--quiet|--silent --debug -e|--expression= -f|--file= --follow-symlinks "
    "-i|--in-place? -l|--line-length= --posix -E|-r|--regexp-extended -s|--separate "
    "--sandbox -u|--unbuffered -z|--null-data -b|--binary --help --version"
)
_AWK = (
    "-f|--file= -F|--field-separator= -v|--assign= -b|--characters-as-bytes -c|--traditional "
    "-C|--copyright -d|--dump-variables? -D|--debug? -e|--source= -E|--exec= -g|--gen-pot "
    "-h|--help -i|--include= -I|--trace -l|--load= -L|--lint? -M|--bignum "
    "-N|--use-lc-numeric -n|--non-decimal-data -o|--pretty-print? -O|--optimize "
    "-p|--profile? -P|--posix -r|--re-interval -s|--no-optimize -S|--sandbox -t|--lint-old "
    "-V|--version"
)
_MAKE = (
    "-b -m -B|--always-make -C|--directory= -d --debug? -e|--environment-overrides "
    "-E|--eval= -f|--file|--makefile= -h|--help -i|--ignore-errors -I|--include-dir= "
    "-j|--jobs? -k|--keep-going -l|--load-average|--max-load? -L|--check-symlink-times "
    "-n|--just-print|--dry-run|--recon -o|--old-file|--assume-old= -O|--output-sync? "
    "-p|--print-data-base -q|--question -r|--no-builtin-rules -R|--no-builtin-variables "
    "-s|--silent|--quiet --no-silent -S|--no-keep-going|--stop -t|--touch --trace "
    "-v|--version -w|--print-directory --no-print-directory -W|--what-if|--new-file|--assume-new= "
    "--warn-undefined-variables --shuffle? --jobserver-auth= --jobserver-style="
)
_TAR = (
    "-A|--catenate|--concatenate -c|--create -d|--diff|--compare --delete -r|--append "
    "-t|--list --test-label -u|--update -x|--extract|--get -C|--directory= -f|--file= "
    "-v|--verbose -z|--gzip|--gunzip|--ungzip -j|--bzip2 -J|--xz --zstd --lzma --lzip --lzop "
    "-a|--auto-compress -Z|--compress|--uncompress -k|--keep-old-files --keep-newer-files "
    "--skip-old-files --overwrite --overwrite-dir --no-overwrite-dir -U|--unlink-first "
    "--recursive-unlink -p|--preserve-permissions|--same-permissions --no-same-permissions "
    "--same-owner --no-same-owner -m|--touch -O|--to-stdout --strip-components= "
    "--transform|--xform= --exclude= -X|--exclude-from= --exclude-vcs --exclude-vcs-ignores "
    "--exclude-caches -T|--files-from= --null -h|--dereference --hard-dereference "
    "-P|--absolute-names --one-file-system -W|--verify --wildcards --no-wildcards --anchored "
    "--no-anchored --ignore-case --owner= --group= --mode= --mtime= --sort= --format= -H "
    "-b|--blocking-factor= -B|--read-full-records -i|--ignore-zeros -S|--sparse "
    "-l|--check-links -o -n|--seek --totals? --checkpoint? --warning= "
    "-w|--interactive|--confirmation --remove-files -I|--use-compress-program= --to-command= "
    "--checkpoint-action= -F|--info-script|--new-volume-script= --rsh-command= "
    "-g|--listed-incremental= -G|--incremental -M|--multi-volume -L|--tape-length= "
    "-V|--label= -R|--block-number --show-transformed-names --show-stored-names "
    "--no-recursion --recursion --numeric-owner --delay-directory-restore --acls --xattrs "
    "--selinux --no-acls --no-xattrs --help --version"
)
_PATCH = (
    "-p|--strip= -i|--input= -d|--directory= -o|--output= -R|--reverse -N|--forward "
    "-f|--force -t|--batch -s|--silent|--quiet -E|--remove-empty-files -b|--backup "
    "-B|--prefix= -V|--version-control= -z|--suffix= -F|--fuzz= -l|--ignore-whitespace "
    "-u|--unified -c|--context -e|--ed -n|--normal --dry-run -r|--reject-file= --binary "
    "--posix -Z|--set-utc -T|--set-time --merge? --follow-symlinks --verbose --read-only= "
    "-D|--ifdef= -x|--debug= --quoting-style= --no-backup-if-mismatch --backup-if-mismatch "
    "-g|--get= --help -v|--version"
)
_LN = (
    "-b --backup? -d|-F|--directory -f|--force -i|--interactive -L|--logical "
    "-n|--no-dereference -P|--physical -r|--relative -s|--symbolic -S|--suffix= "
    "-t|--target-directory= -T|--no-target-directory -v|--verbose --help --version"
)
_CP = (
    "-a|--archive --attributes-only -b --backup? --copy-contents -d -f|--force "
    "-i|--interactive -H -l|--link -L|--dereference -n|--no-clobber -P|--no-dereference -p "
    "--preserve? --no-preserve= --parents -R|-r|--recursive --reflink? --remove-destination "
    "--sparse= --strip-trailing-slashes -s|--symbolic-link -S|--suffix= "
    "-t|--target-directory= -T|--no-target-directory -u|--update? -v|--verbose "
    "-x|--one-file-system -Z --context? --debug --keep-directory-symlink --help --version"
)
_MV = (
    "-b --backup? -f|--force -i|--interactive -n|--no-clobber --exchange --no-copy "
    "--strip-trailing-slashes -S|--suffix= -t|--target-directory= -T|--no-target-directory "
    "-u|--update? -v|--verbose -Z|--context --debug --help --version"
)
_TIMEOUT = (
    "-s|--signal= -k|--kill-after= --preserve-status --foreground -v|--verbose --help --version"
)
_DU = (
    "-0|--null -a|--all --apparent-size -B|--block-size= -b|--bytes -c|--total "
    "-D|-H|--dereference-args -d|--max-depth= --files0-from= --inodes -h|--human-readable "
    "-k -L|--dereference -l|--count-links -m -P|--no-dereference -S|--separate-dirs --si "
    "-s|--summarize -t|--threshold= --time? --time-style= -X|--exclude-from= --exclude= "
    "-x|--one-file-system --help --version"
)

# git: the global options it accepts before the subcommand (the built-in rules refuse
# the ones that change configuration or repository; see charter.guard.builtin).
_GIT_DIFF = (
    "-p|-u|--patch -s|--no-patch -U|--unified= --output= --output-indicator-new= "
    "--output-indicator-old= --output-indicator-context= --raw --patch-with-raw -t "
    "--indent-heuristic --minimal --patience --histogram --anchored= --diff-algorithm= "
    "--stat? --compact-summary --numstat --shortstat -X|--dirstat? --cumulative "
    "--dirstat-by-file? --summary --patch-with-stat -z --name-only --name-status "
    "--submodule? --color? --color-moved? --color-moved-ws= --word-diff? --word-diff-regex= "
    "--color-words? --renames --rename-empty --check --ws-error-highlight= --full-index "
    "--binary --abbrev? -B|--break-rewrites? -M|--find-renames? -C|--find-copies? "
    "--find-copies-harder -D|--irreversible-delete -l= --diff-filter= -S= -G= --find-object= "
    "--pickaxe-all --pickaxe-regex -O= --skip-to= --rotate-to= -R --relative? -a|--text "
    "--ignore-cr-at-eol --ignore-space-at-eol -b|--ignore-space-change "
    "-w|--ignore-all-space --ignore-blank-lines -I|--ignore-matching-lines= "
    "--inter-hunk-context= -W|--function-context --exit-code --quiet --ext-diff --textconv "
    "--ignore-submodules? --src-prefix= --dst-prefix= --prefix --default-prefix "
    "--line-prefix= --ita-invisible-in-index --ita-visible-in-index --stat-width= "
    "--stat-name-width= --stat-count= --stat-graph-width= "
)
_GIT_LOG = _GIT_DIFF + (
    "-n|--max-count= --skip= --since|--after= --until|--before= --since-as-filter= "
    "--author= --committer= --grep-reflog= --grep= --all-match --invert-grep "
    "-i|--regexp-ignore-case --basic-regexp -E|--extended-regexp -F|--fixed-strings "
    "-P|--perl-regexp --remove-empty --merges --min-parents= --max-parents= --first-parent "
    "--exclude-first-parent-only --not --all --branches? --tags? --remotes? --glob= "
    "--exclude= --exclude-hidden= --reflog --alternate-refs --single-worktree "
    "--ignore-missing --bisect --cherry-mark --cherry-pick --left-only --right-only "
    "--cherry -g|--walk-reflogs --merge --boundary --simplify-by-decoration --show-pulls "
    "--full-history --dense --sparse --simplify-merges --ancestry-path? --date-order "
    "--author-date-order --topo-order --reverse --walk? --do-walk --pretty? --format= "
    "--abbrev-commit --oneline --encoding= --expand-tabs? --notes? --show-notes? "
    "--standard-notes --show-signature --relative-date --date= --parents --children "
    "--left-right --graph --show-linear-break? --decorate? --decorate-refs= "
    "--decorate-refs-exclude= --source --clear-decorations --mailmap|--use-mailmap "
    "--full-diff --log-size -L= --follow --count --show-origin -m --diff-merges= --dd --cc "
    "-c --combined-all-paths --remerge-diff -r --root --show-root --first-parent "
    "--no-merges --stdin"
)
_GIT_GREP = (
    "--cached --no-index --untracked --exclude-standard --recurse-submodules -a|--text "
    "--textconv -i|--ignore-case -I --max-depth= -r|--recursive -w|--word-regexp "
    "-v|--invert-match -h -H --full-name -E|--extended-regexp -G|--basic-regexp "
    "-P|--perl-regexp -F|--fixed-strings -n|--line-number --column "
    "-l|--files-with-matches|--name-only -L|--files-without-match "
    "-O|--open-files-in-pager? -z|--null -o|--only-matching -c|--count --color? --break "
    "--heading -p|--show-function -C|--context= -A|--after-context= -B|--before-context= "
    "-W|--function-context -m|--max-count= --threads= -f= -e= --and --or --not --all-match "
    "-q|--quiet"
)
# fmt: on

# program (or "git SUBCOMMAND") -> (table, parser flags, modes)
GRAMMARS: dict[str, tuple[str, dict[str, bool], frozenset[str]]] = {
    "grep": (_GREP, {"digits": True}, frozenset()),
    "egrep": (_GREP, {"digits": True}, frozenset()),
    "fgrep": (_GREP, {"digits": True}, frozenset()),
    "rg": (_RG, {}, frozenset()),
    "sort": (_SORT, {}, frozenset()),
    "ls": (_LS, {}, frozenset()),
    "cat": (
        "-A|--show-all -b|--number-nonblank -e -E|--show-ends -n|--number "
        "-s|--squeeze-blank -t -T|--show-tabs -u -v|--show-nonprinting --help --version",
        {},
        frozenset(),
    ),
    "head": (
        "-c|--bytes= -n|--lines= -q|--quiet|--silent -v|--verbose "
        "-z|--zero-terminated --help --version",
        {"digits": True},
        frozenset(),
    ),
    "tail": (
        "-c|--bytes= -f|--follow? -F -n|--lines= --max-unchanged-stats= --pid= "
        "-q|--quiet|--silent --retry -s|--sleep-interval= -v|--verbose "
        "-z|--zero-terminated --help --version",
        {"digits": True},
        frozenset(),
    ),
    "wc": (
        "-c|--bytes -m|--chars -l|--lines --files0-from= -L|--max-line-length -w|--words "
        "--total= --help --version",
        {},
        frozenset(),
    ),
    "nl": (
        "-b|--body-numbering= -d|--section-delimiter= -f|--footer-numbering= "
        "-h|--header-numbering= -i|--line-increment= -l|--join-blank-lines= "
        "-n|--number-format= -p|--no-renumber -s|--number-separator= "
        "-v|--starting-line-number= -w|--number-width= --help --version",
        {},
        frozenset(),
    ),
    "pwd": ("-L -P --help --version", {}, frozenset()),
    "diff": (_DIFF, {"digits": True}, frozenset()),
    "sed": (_SED, {}, frozenset({"--in-place"})),
    "awk": (_AWK, {}, frozenset()),
    "gawk": (_AWK, {}, frozenset()),
    "make": (_MAKE, {}, frozenset()),
    "gmake": (_MAKE, {}, frozenset()),
    "tar": (_TAR, {}, frozenset()),
    "patch": (_PATCH, {}, frozenset()),
    "ln": (_LN, {}, frozenset()),
    "cp": (_CP, {}, frozenset()),
    "mv": (_MV, {}, frozenset()),
    "du": (_DU, {}, frozenset()),
    "timeout": (_TIMEOUT, {"permute": False}, frozenset()),
    "git status": (
        "-s|--short -b|--branch --show-stash --porcelain? --long -v|--verbose "
        "-u|--untracked-files? --ignore-submodules? --ignored? -z --column? "
        "--ahead-behind --renames --find-renames? --null",
        {"negatable": True},
        frozenset(),
    ),
    "git diff": (
        _GIT_DIFF + "--cached --staged --merge-base --no-index -1 -2 -3 -0 --base --ours --theirs",
        {"negatable": True},
        frozenset(),
    ),
    "git log": (_GIT_LOG, {"negatable": True, "digits": True}, frozenset()),
    "git show": (_GIT_LOG, {"negatable": True, "digits": True}, frozenset()),
    "git blame": (
        "-b --root --show-stats -L= -l -t -S= --reverse= --first-parent "
        "-p|--porcelain --line-porcelain --incremental --encoding= --contents= "
        "--date= --progress -M? -C? --ignore-rev= --ignore-revs-file= --color-lines "
        "--color-by-age -h -c --score-debug -f|--show-name -n|--show-number -s "
        "-e|--show-email -w --abbrev?",
        {"negatable": True},
        frozenset(),
    ),
    "git add": (
        "-n|--dry-run -v|--verbose -f|--force -i|--interactive -p|--patch -e|--edit "
        "-u|--update -A|--all --ignore-removal -N|--intent-to-add --refresh "
        "--ignore-errors --ignore-missing --warn-embedded-repo --renormalize "
        "--chmod= --pathspec-from-file= --pathspec-file-nul --sparse",
        {"negatable": True},
        frozenset(),
    ),
    "git commit": (
        "-a|--all -p|--patch -C|--reuse-message= -c|--reedit-message= --fixup= "
        "--squash= --reset-author --short --branch --porcelain --long -z|--null "
        "-F|--file= --author= --date= -m|--message= -t|--template= -s|--signoff "
        "--trailer= -n|--no-verify --verify --allow-empty --allow-empty-message --cleanup= "
        "-e|--edit --amend --post-rewrite -i|--include -o|--only "
        "--pathspec-from-file= --pathspec-file-nul -u|--untracked-files? "
        "-v|--verbose -q|--quiet --dry-run --status -S|--gpg-sign?",
        {"negatable": True},
        frozenset(),
    ),
    "git push": (
        "-f|--force --force-with-lease? --force-if-includes --mirror -d|--delete "
        "--prune --all --branches --tags --follow-tags --atomic -n|--dry-run "
        "--porcelain -u|--set-upstream -q|--quiet -v|--verbose --progress "
        "--recurse-submodules= --verify --repo= --receive-pack|--exec= "
        "-o|--push-option= -4|--ipv4 -6|--ipv6 --signed? --thin",
        {"negatable": True},
        frozenset(),
    ),
    "git branch": (
        "--list -l -a|--all -r|--remotes -v|--verbose -q|--quiet --abbrev? "
        "--column? --sort= --merged? --contains? --points-at= --format= --color? "
        "-i|--ignore-case --omit-empty --show-current -d|--delete -D -m|--move -M "
        "-c|--copy -C -f|--force --create-reflog -t|--track? "
        "-u|--set-upstream-to= --unset-upstream --edit-description "
        "--recurse-submodules",
        {"negatable": True},
        frozenset(
            {
                "--delete",
                "-D",
                "--move",
                "-M",
                "--copy",
                "-C",
                "--force",
                "--set-upstream-to",
                "--unset-upstream",
                "--edit-description",
                "--create-reflog",
                "--track",
            }
        ),
    ),
    "git restore": (
        "-s|--source= -p|--patch -W|--worktree -S|--staged -q|--quiet --progress "
        "--ours --theirs -m|--merge --conflict= --ignore-unmerged "
        "--ignore-skip-worktree-bits --recurse-submodules --overlay "
        "--pathspec-from-file= --pathspec-file-nul",
        {"negatable": True},
        frozenset({"--worktree", "--source"}),
    ),
    "git switch": (
        "-c|--create= -C|--force-create= -d|--detach --guess --discard-changes "
        "-f|--force -m|--merge --conflict= -q|--quiet --progress -t|--track? "
        "--orphan= --ignore-other-worktrees --recurse-submodules",
        {"negatable": True},
        frozenset({"--force", "--discard-changes"}),
    ),
    "git grep": (_GIT_GREP, {"negatable": True, "digits": True}, frozenset()),
}
