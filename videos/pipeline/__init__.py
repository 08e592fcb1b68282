"""The processing pipeline of a video: transcode -> transcribe -> embed -> tag -> publish.

Read it top-down: `videos.tasks` (Celery wiring: one task per step, the chain) and `local`
(the same steps in this process) call `policy.step_run`, which runs one function of `steps`
with the typed `outputs` of the steps before it and records the outcome through `progress`.
"""
