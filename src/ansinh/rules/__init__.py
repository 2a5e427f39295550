"""The small rule language (DESIGN §4.6): eligibility rules over registry people and
validation rules over report figures. Parsed into a tree by a hand-written parser, checked
against a context, then compiled to one database query or evaluated over a dict — never
`eval`. See docs/rules.md.

Entry points: `ansinh.rules.services.rule_parse`, `ansinh.rules.selectors.rule_count`,
`ansinh.rules.person` (PersonContext, compile_person_rule, explain_person,
register_person_function) and `ansinh.rules.values` (ValuesContext, evaluate_values).
"""
