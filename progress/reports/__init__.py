"""CIM progress reports (seed 001), one concern a module:

- periods: the due dates, from the monitoring level in force, and how each due stands;
- routing: where a report goes and who answers for it;
- content: what a report says (the plan, the period's reviews and measurements) and its prefill;
- workflow: starting, the narrative, sign-off, the checks before submission;
- render: the frozen PDF (a Celery task), the lead's confirmation and the sending.
"""
