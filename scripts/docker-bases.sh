#!/usr/bin/env bash
# Gives the Docker engine the Dockerfile's base images, debian:bookworm and debian:bookworm-slim, when it has
# none and no registry answers: made here from Debian's own packages with mmdebstrap, then `docker import`.
#
#   scripts/docker-bases.sh        (root; the engine of $DOCKER_HOST; needs mmdebstrap: install-deps.sh docker)
#
# Idempotent: an image the engine has is kept, one it can pull is pulled. Made images follow the official ones
# (docker-library/debian, built by debuerreotype): the minbase variant, the packages of apt's sources on this
# machine (bookworm, bookworm-updates, bookworm-security), and the apt settings that keep an image's layers
# small: no .deb and no package cache left after an install (docker-clean), no translations (docker-no-languages),
# gzipped lists. The slim image also leaves out documentation, manual pages and locales, as the official one does.
set -euo pipefail

readonly sources=${DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}

log() { printf '[docker-bases] %s\n' "$*" >&2; }

# The official images' /etc/apt/apt.conf.d/docker-clean, one option per --aptopt.
readonly clean_hook='rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true'
aptopts=(
    --aptopt="DPkg::Post-Invoke { \"$clean_hook\"; }"
    --aptopt="APT::Update::Post-Invoke { \"$clean_hook\"; }"
    --aptopt='Dir::Cache::pkgcache ""'
    --aptopt='Dir::Cache::srcpkgcache ""'
    --aptopt='Acquire::Languages "none"'
    --aptopt='Acquire::GzipIndexes "true"'
    --aptopt='APT::AutoRemove::SuggestsImportant "false"'
)
# dpkg applies the slim excludes to what it installs; the Essential packages mmdebstrap unpacks first are pruned
# by this hook. $1 is mmdebstrap's: the hook runs in sh with the new root directory as $1.
# shellcheck disable=SC2016
readonly slim_prune='chroot "$1" sh -c "find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete;
    find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -r {} +;
    rm -rf /usr/share/groff/* /usr/share/info/* /usr/share/linda/* /usr/share/lintian/* /usr/share/man/*;
    find /usr/share/doc -mindepth 1 -type d -empty -delete"'
# The official slim images' /etc/dpkg/dpkg.cfg.d/docker.
slim_dpkgopts=(
    --dpkgopt='path-exclude /usr/share/doc/*'
    --dpkgopt='path-include /usr/share/doc/*/copyright'
    --dpkgopt='path-exclude /usr/share/groff/*'
    --dpkgopt='path-exclude /usr/share/info/*'
    --dpkgopt='path-exclude /usr/share/linda/*'
    --dpkgopt='path-exclude /usr/share/lintian/*'
    --dpkgopt='path-exclude /usr/share/locale/*'
    --dpkgopt='path-include /usr/share/locale/locale.alias'
    --dpkgopt='path-exclude /usr/share/man/*'
    --customize-hook="$slim_prune"
)

# make TAG [DPKGOPT...]: bootstrap into a tarball, import it as TAG.
make_image() {
    local tag=$1
    shift
    local work
    work=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now: work is local
    trap "rm -rf '$work'" RETURN
    log "making $tag with mmdebstrap from $sources"
    mmdebstrap --quiet --variant=minbase --mode=root "${aptopts[@]}" "$@" \
        bookworm "$work/rootfs.tar" "$sources"
    docker import --change 'CMD ["bash"]' --message "scripts/docker-bases.sh: mmdebstrap --variant=minbase" \
        "$work/rootfs.tar" "$tag" >/dev/null
    log "$tag: $(docker image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec) made"
}

# provide TAG [DPKGOPT...]
provide() {
    local tag=$1
    if docker image inspect "$tag" >/dev/null 2>&1; then
        log "$tag: present"
    elif timeout 20 docker pull --quiet "$tag" >/dev/null 2>&1; then
        log "$tag: pulled"
    else
        make_image "$@"
    fi
}

main() {
    [ $# -eq 0 ] || { echo "usage: scripts/docker-bases.sh" >&2; exit 64; }
    [ -f "$sources" ] || { echo "docker-bases: no apt sources at $sources (set DEBIAN_SOURCES)" >&2; exit 66; }
    command -v mmdebstrap >/dev/null || { echo "docker-bases: needs mmdebstrap (scripts/install-deps.sh docker)" >&2; exit 69; }
    provide debian:bookworm
    provide debian:bookworm-slim "${slim_dpkgopts[@]}"
}

main "$@"
