"""SparkleFormation DSL: key alteration and data access."""

from sparkleform import template


@template
def camel_keys(t):
    """parameters.creator.default 'spox'"""
    t.aws_template_format_version = None
    t.parameters.creator.default = "spox"


@template
def disable_camel(t):
    """parameters.set!(:creator.disable_camel!).default 'spox'"""
    t.aws_template_format_version = None
    t.parameters._set("creator", {"Default": "spox"})


@template
def local_context(t):
    """parameters do |params| author.default params.creator.default end"""
    t.aws_template_format_version = None
    t.parameters.creator.default = "spox"
    with t.parameters as params:
        params.author.default = params.creator._get("default")


@template
def root_context(t):
    """parameters.author.default root!.parameters.creator.default"""
    t.aws_template_format_version = None
    t.parameters.creator.default = "spox"
    t.parameters.author.default = t.root.parameters.creator._get("default")


@template
def data_access(t):
    """if(data!['Creator'].default == 'spox') parameters.author.default 'xops'"""
    t.aws_template_format_version = None
    t.parameters.creator.default = "spox"
    if t.parameters._get("Creator")._get("Default") == "spox":
        t.parameters.author.default = "xops"
