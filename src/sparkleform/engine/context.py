"""What an operation is handed: the store, the journal that records its changes, the
resource handlers, and the account it runs in. Operations (create, update, delete,
recover, plan) are functions of this context; `Engine` builds one and calls them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sparkleform.engine.attributes import SimContext
from sparkleform.engine.handlers import Handlers
from sparkleform.engine.intrinsics import partition_of
from sparkleform.engine.journal import Journal
from sparkleform.engine.store import StackStore


@dataclass(frozen=True)
class OpContext:
    store: StackStore
    journal: Journal
    handlers: Handlers
    account_id: str

    @property
    def region(self) -> str:
        return self.store.region

    def new_stack_id(self, name: str) -> str:
        """The ARN of a new stack of this name."""
        region = self.region
        return f"arn:{partition_of(region)}:cloudformation:{region}:{self.account_id}:stack/{name}/{uuid.uuid4()}"

    def sim_context(self, name: str, stack_id: str) -> SimContext:
        """The simulation context of a stack's resources (subnet CIDRs read from its rows)."""
        store = self.store
        return SimContext(name, self.region, self.account_id, lambda physical: store.subnet_cidr(stack_id, physical))
