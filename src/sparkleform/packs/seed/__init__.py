"""The seed pack: the AWS Advent 2014 articles' infrastructure as reusable parts."""
