# shellcheck shell=bash
# wait_until SECONDS DESCRIPTION COMMAND [ARG...]: run COMMAND every 0.1 s until it succeeds; at the
# deadline, call the sourcing script's fail() with "no DESCRIPTION within SECONDS s". No sleep-and-hope:
# a condition with a deadline.
wait_until() {
    local seconds=$1 description=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        ((SECONDS < deadline)) || fail "no $description within ${seconds}s"
        sleep 0.1
    done
}
