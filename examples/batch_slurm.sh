#!/usr/bin/env bash
# Process every station of an ASDF file as a SLURM job array, then merge.
#
#   jid=$(sbatch --parsable --array=0-7 examples/batch_slurm.sh raw.h5 out.h5)
#   sbatch --dependency=afterok:$jid --wrap "asdf-cli batch merge out.h5"
#   asdf-cli batch status out.h5          # any time: done / failed / pending per chunk
#
# Each array task processes chunk SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT
# (stations sorted and dealt round-robin) with SLURM_CPUS_PER_TASK processes,
# and writes only its own files under out.h5.batch/.  Re-submit the same array
# after a time-out or node failure: committed stations are skipped.
#
#SBATCH --job-name=asdf-batch
#SBATCH --cpus-per-task=4
#SBATCH --mem-per-cpu=2G
#SBATCH --time=02:00:00
#SBATCH --output=asdf-batch-%A_%a.log
set -euo pipefail

IN=${1:?usage: batch_slurm.sh INPUT.h5 OUTPUT.h5}
OUT=${2:?usage: batch_slurm.sh INPUT.h5 OUTPUT.h5}

# Every task only reads the input: HDF5's file locks are not needed, and on NFS or
# Lustre mounts without lock support they make h5py fail ("unable to lock file").
export HDF5_USE_FILE_LOCKING=FALSE

# sbatch runs a copy of this script: find the python job beside the submitted one.
if [[ -n "${SLURM_SUBMIT_DIR:-}" && -f "$SLURM_SUBMIT_DIR/examples/batch_slurm_job.py" ]]; then
    HERE="$SLURM_SUBMIT_DIR/examples"
else
    HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fi

: "${SLURM_ARRAY_TASK_ID:?run this as an array job (sbatch --array=0-N)}"
echo "task ${SLURM_ARRAY_TASK_ID} of ${SLURM_ARRAY_TASK_COUNT:-?} on $(hostname)"
exec "${PYTHON:-python}" "$HERE/batch_slurm_job.py" "$IN" "$OUT"
