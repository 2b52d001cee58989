"""Jobs started from the web: the run itself, and the minute's watch for dead workers."""

from __future__ import annotations

from ipr_apps.services import job_runs, jobs
from ipr_apps.tasks import crontab, periodic, task


@task()
def run_job(job_id: int) -> None:
    job_runs.run(job_id)


@periodic(crontab(minute="*"))
def watch_jobs() -> None:
    """A running job whose worker was killed is shown failed (and can be re-run); a job
    the queue lost is handed out again."""
    jobs.mark_stale_failed()
    jobs.requeue_lost()


@periodic(crontab(minute="7"))
def purge_job_results() -> None:
    """Hourly: results older than a week, and files no job refers to."""
    jobs.purge_expired()
