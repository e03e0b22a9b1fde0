"""The rule-tree visitor (rules/visit.py): it knows every kind of node the schema allows, and a visitor that
leaves a kind out is refused when it is made, not when a rulebook first uses that kind."""
import typing

import pytest

from chuangye_rules.rules import schema
from chuangye_rules.rules.visit import AMOUNT_METHODS, CONDITION_METHODS, AmountVisitor, ConditionVisitor


def union_members(annotated) -> set[type]:
    union = typing.get_args(annotated)[0]
    return {typing.get_args(arm)[0] if typing.get_origin(arm) is typing.Annotated else arm
            for arm in typing.get_args(union)}


def test_every_amount_kind_of_the_schema_has_a_method():  # an amount is dispatched on its kind
    kinds = {typing.get_args(model.model_fields["kind"].annotation)[0] for model in union_members(schema.Amount)}
    assert set(AMOUNT_METHODS) == kinds


def test_every_condition_kind_of_the_schema_has_a_method():  # a condition on its class's name
    assert set(CONDITION_METHODS) == {model.__name__ for model in union_members(schema.Condition)}


def test_a_visitor_that_forgets_a_kind_cannot_be_made():
    class Partial(ConditionVisitor[int]):
        def compare(self, node):
            return 1

    with pytest.raises(TypeError, match="abstract"):
        Partial()

    class Amounts(AmountVisitor[str]):
        pass

    with pytest.raises(TypeError, match="abstract"):
        Amounts()


def test_an_unknown_node_is_named():
    class Fields(ConditionVisitor[list]):
        compare = all_of = any_of = not_of = lambda self, node: []

    with pytest.raises(TypeError, match="unknown condition str"):
        Fields().visit("not a node")
