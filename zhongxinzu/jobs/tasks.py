from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from zhongxinzu.jobs.services import job_run

    job_run(job_id=job_id)
