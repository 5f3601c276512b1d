"""The offline engine: Pulumi's mocks with a record of every registration, and a runner.

Shared by the component tests and `golive preview`; nothing here decides what a
program declares. testing.mocks answers for the providers, testing.runner runs
a program or a few components under them.
"""
