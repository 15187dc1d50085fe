# SPDX-License-Identifier: GPL-2.0
# bash completion for pidguard(8).
#
# Installed as share/bash-completion/completions/pidguard, where
# bash-completion loads it on first use; it also works sourced on its own
# (it uses no bash-completion helper, so that the test suite can drive it
# without that package). Container names come from `docker ps` when a daemon
# answers within two seconds; otherwise TARGET completes to nothing, quietly.
# tests/integration/test_install.sh fails when an option printed by
# `pidguard --help` is missing here.

# Names of the running containers, one per line; nothing when Docker is
# absent, unreachable or slow.
_pidguard_containers()
{
	command -v docker > /dev/null 2>&1 || return 0
	if command -v timeout > /dev/null 2>&1; then
		timeout 2 docker ps --format '{{.Names}}' 2> /dev/null
	else
		docker ps --format '{{.Names}}' 2> /dev/null
	fi
}

# COMPREPLY from a list of words (no word holds a blank: options, values
# and container names, which Docker restricts to [a-zA-Z0-9_.-]) that
# match the current word.
_pidguard_reply()
{
	# shellcheck disable=SC2207 # split on blanks, as intended
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_pidguard_files()
{
	local IFS=$'\n'
	# shellcheck disable=SC2207 # one file name per line
	COMPREPLY=($(compgen -f -- "$1"))
	compopt -o filenames 2> /dev/null
}

_pidguard()
{
	local cur prev cmd word i nargs
	local global_opts="-j --json -p --pretty -h --help --version"
	local commands="run status limit stop top thaw help version"
	local run_opts="--mode --limit --default-limit --warn --events-per-sec --compose
		--docker-host --no-docker --apply-pids-max --duration --config --metrics --log
		--on-runaway --runaway-rate --runaway-seconds --enforce-in-userspace"
	local status_opts="--watch --watch= --detail"
	local top_opts="--groups"

	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--mode=k": bash splits at '=' (COMP_WORDBREAKS), so the option is two
	# words back and the '=' is on its own.
	if [ "$cur" = "=" ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	# The command, and how many plain arguments follow it before the cursor.
	cmd="" nargs=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case "$word" in
		-*|=) continue ;;
		esac
		# The value of an option that takes one is not an argument.
		case "${COMP_WORDS[i - 1]}" in
		--mode|--limit|--default-limit|--warn|--events-per-sec|--compose|\
		--docker-host|--duration|--config|--metrics|--log|--groups) continue ;;
		--on-runaway|--runaway-rate|--runaway-seconds) continue ;;
		=) continue ;;
		esac
		if [ -z "$cmd" ]; then
			cmd=$word
		else
			nargs=$((nargs + 1))
		fi
	done

	# Values of the option before the cursor.
	case "$prev" in
	--mode)
		_pidguard_reply "auto deny kill flag" "$cur"
		return 0 ;;
	--log)
		_pidguard_reply "stderr syslog" "$cur"
		return 0 ;;
	--on-runaway)
		_pidguard_reply "none freeze trim restart kill" "$cur"
		return 0 ;;
	--runaway-rate|--runaway-seconds)
		COMPREPLY=()
		return 0 ;;
	--config|--compose)
		_pidguard_files "$cur"
		return 0 ;;
	--docker-host)
		_pidguard_reply "unix:///var/run/docker.sock" "$cur"
		return 0 ;;
	--limit)
		# TARGET=N: container names, each followed by '='.
		_pidguard_reply "$(_pidguard_containers | sed 's/$/=/')" "$cur"
		compopt -o nospace 2> /dev/null
		return 0 ;;
	--default-limit|--warn|--events-per-sec|--duration|--metrics|--groups)
		COMPREPLY=()
		return 0 ;;
	esac

	case "$cmd" in
	"")
		if [[ "$cur" == -* ]]; then
			_pidguard_reply "$global_opts" "$cur"
		else
			_pidguard_reply "$commands" "$cur"
		fi ;;
	run)
		_pidguard_reply "$run_opts $global_opts" "$cur" ;;
	status)
		if [[ "$cur" == -* ]]; then
			_pidguard_reply "$status_opts $global_opts" "$cur"
			[ "${COMPREPLY[0]}" = "--watch=" ] && compopt -o nospace 2> /dev/null
		elif [ "$nargs" -eq 0 ]; then
			_pidguard_reply "$(_pidguard_containers)" "$cur"
		else
			COMPREPLY=()
		fi ;;
	limit)
		if [[ "$cur" == -* ]]; then
			_pidguard_reply "$global_opts" "$cur"
		elif [ "$nargs" -eq 0 ]; then
			_pidguard_reply "$(_pidguard_containers)" "$cur"
		elif [ "$nargs" -eq 1 ]; then
			_pidguard_reply "none" "$cur"
		else
			COMPREPLY=()
		fi ;;
	stop)
		_pidguard_reply "$global_opts" "$cur" ;;
	thaw)
		# A cgroup path: relative to the cgroup v2 mount, or absolute.
		if [[ "$cur" == -* ]]; then
			_pidguard_reply "$global_opts" "$cur"
		elif [ "$nargs" -eq 0 ]; then
			_pidguard_files "$cur"
		else
			COMPREPLY=()
		fi ;;
	top)
		if [[ "$cur" == -* ]]; then
			_pidguard_reply "$top_opts $global_opts" "$cur"
		elif [ "$nargs" -eq 0 ]; then
			_pidguard_reply "$(_pidguard_containers)" "$cur"
		else
			COMPREPLY=()
		fi ;;
	help)
		if [ "$nargs" -eq 0 ]; then
			_pidguard_reply "run status limit stop top thaw version" "$cur"
		else
			COMPREPLY=()
		fi ;;
	*)
		COMPREPLY=() ;;
	esac
	return 0
}

complete -F _pidguard pidguard
