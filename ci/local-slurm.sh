#!/usr/bin/env bash
# A one-node SLURM cluster on localhost for testing profiles/slurm (no accounting daemon).
#
#   ci/local-slurm.sh up     install slurmctld, slurmd and munge from Debian if missing, start them
#   ci/local-slurm.sh down   stop the daemons this script started, remove their state
#   ci/local-slurm.sh env    print the lines that point SLURM commands at this cluster
#   ci/local-slurm.sh status exit 0 if the cluster is running
#
# Everything (munge key, slurm.conf, spool, logs, pid files) lives under $RMTSGD_SLURM_DIR
# (default /tmp/rmtsgd-slurm); nothing under /etc is changed. Commands find the cluster through
# SLURM_CONF: eval "$(ci/local-slurm.sh env)". Snakemake's job step drops every SLURM_*
# variable before its srun (a real cluster keeps slurm.conf in /etc/slurm), so `env` also puts
# an srun wrapper that sets SLURM_CONF first on PATH. `up` on a running cluster and `down` on a
# stopped one do nothing. Without slurmdbd there is no sacct data: the profile queries job
# states with squeue, which sees finished jobs for MinJobAge seconds (set below).
set -euo pipefail

STATE="${RMTSGD_SLURM_DIR:-${TMPDIR:-/tmp}/rmtsgd-slurm}"
CONF="$STATE/slurm.conf"
NODE=localhost
DAEMONS=(slurmd slurmctld munged) # stop order

log() { echo "local-slurm: $*" >&2; }

pid_alive() { [ -s "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

install_packages() {
    local missing=()
    command -v munged >/dev/null || missing+=(munge)
    command -v slurmctld >/dev/null || missing+=(slurmctld)
    command -v slurmd >/dev/null || missing+=(slurmd)
    command -v sbatch >/dev/null || missing+=(slurm-client)
    [ "${#missing[@]}" -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        log "missing ${missing[*]}; run as root (or: apt-get install ${missing[*]})"
        exit 1
    fi
    log "installing ${missing[*]} from Debian"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

write_conf() {
    local cpus mem_mb
    cpus=$(nproc)
    # leave 1 GiB to the system
    mem_mb=$(($(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024))
    cat >"$CONF" <<CONF
# Written by ci/local-slurm.sh: one node, no accounting, no cgroups.
ClusterName=rmtsgd-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
# finished jobs stay visible to squeue this long (the profile's status command)
MinJobAge=3600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
}

write_srun_wrapper() {
    local srun
    srun=$(PATH="${PATH//$STATE\/bin:/}" command -v srun) # the real one, not this wrapper
    mkdir -p "$STATE/bin"
    cat >"$STATE/bin/srun" <<WRAPPER
#!/bin/sh
SLURM_CONF="$CONF" exec "$srun" "\$@"
WRAPPER
    chmod 755 "$STATE/bin/srun"
}

start_munge() {
    mkdir -p "$STATE/munge"
    chmod 700 "$STATE/munge"
    dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$STATE/munge/munge.key"
    munged --force --key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket" \
        --pid-file="$STATE/munged.pid" --log-file="$STATE/log/munged.log" \
        --seed-file="$STATE/munge/munged.seed"
}

wait_for_node() {
    local state
    for _ in $(seq 60); do
        state=$(SLURM_CONF="$CONF" sinfo -h -N -o %T 2>/dev/null || true)
        if [ "$state" = idle ] || [ "$state" = mixed ] || [ "$state" = allocated ]; then
            return 0
        fi
        sleep 0.5
    done
    log "node did not come up (state '${state:-none}'); logs in $STATE/log"
    tail -n 20 "$STATE"/log/*.log >&2 || true
    return 1
}

running() { pid_alive munged && pid_alive slurmctld && pid_alive slurmd; }

up() {
    install_packages
    if running; then
        log "already running (state in $STATE)"
        return
    fi
    down # a partly started cluster is started afresh
    mkdir -p "$STATE/log" "$STATE/slurmctld" "$STATE/slurmd"
    write_conf
    write_srun_wrapper
    start_munge
    SLURM_CONF="$CONF" slurmctld -i
    SLURM_CONF="$CONF" slurmd -N "$NODE"
    wait_for_node
    log "one-node cluster up: $(SLURM_CONF="$CONF" sinfo -h -o '%P %D node(s) %c CPUs %m MB %T')"
    log "point SLURM commands at it with: eval \"\$($0 env)\""
}

down() {
    local daemon pid
    for daemon in "${DAEMONS[@]}"; do
        if pid_alive "$daemon"; then
            pid=$(cat "$STATE/$daemon.pid")
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            log "stopped $daemon (pid $pid)"
        fi
    done
    rm -rf "$STATE"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) running ;;
    env) printf 'export SLURM_CONF=%s\nexport PATH=%s:$PATH\n' "$CONF" "$STATE/bin" ;;
    *)
        echo "usage: $0 up|down|env|status" >&2
        exit 2
        ;;
esac
