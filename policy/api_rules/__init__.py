"""AWS API rules for Pulumi inputs, from botocore's service models.

models.py loads the models, javaregex.py translates their patterns, mapping.py says which
API member each Pulumi input becomes, extra.py holds documented rules the shapes lack,
and check.py judges one resource. The policy wrapper is policy/policies/aws_inputs.py.
"""
