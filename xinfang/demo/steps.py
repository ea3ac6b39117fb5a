"""The steps a demo petition takes (a part of the planner)."""

from __future__ import annotations

from typing import Any

from xinfang.demo._common import A, S, _in_subtree, _pick
from xinfang.demo.organs import _Unit
from xinfang.demo.states import _FINAL_OR_CLOSED, _adder, _Step
from xinfang.demo.texts import _CHANNEL_NOTICE, _WHY, DEPARTMENTS, TOPICS, _Topic
from xinfang.directory.models import Level, Organ, OrganKind, Role
from xinfang.petitions.workflow import Action, OpinionOutcome, ReviewOutcome

_OBJECTED = ("object_accept", "object_reject")


class _Steps:
    """The steps a petition takes through the procedure, with their organs, dates and data (the
    part of :class:`_Planner` that plans the handling)."""

    # -- the steps ----------------------------------------------------------------------------

    def _steps(
        self,
        force: dict[str, Any],
        topic: _Topic,
        unit: _Unit,
        intake: Organ,
        category: str,
        route: int | None,
        accused: Organ | None,
    ) -> list[_Step]:
        rng, ch, r = self.rng, self._choice, self.rng.randint
        steps: list[_Step] = []
        add = _adder(steps)
        REG = Role.REGISTRAR
        close = ch(force, "close", {True: 65, False: 35})  # archiving lags behind
        dispatched = None
        if intake.kind != OrganKind.PETITION_OFFICE:
            # brought straight to the competent organ (Art. 23 para 1-2)
            first = ch(force, "first", {"ack": 84, "redirect": 9, "not_accept": 7})
            if first == "redirect":
                proper = f"{unit.name}{rng.choice([c for _k, _p, c in DEPARTMENTS])}"
                add(
                    A.REDIRECT, intake, r(0, 6), S.REDIRECTED, _WHY["redirect"], proper_organ=proper
                )
            elif first == "not_accept":
                add(A.NOT_ACCEPT, intake, r(0, 6), S.NOT_ACCEPTED, _WHY["in_law"], ground="other")
            else:
                self._handle(force, steps, topic, intake, category, route, None, accused)
        else:
            options: dict[str, float] = {
                "transfer": 60,
                "assign": 16,
                "not_accept": 4,
                "object_accept": 3,
                "object_reject": 3,
            }
            if category == "appeal" and route == 1:
                options = {"refer_legal": 75, "transfer": 20, "not_accept": 5}
            if topic.dept == "police":
                options.pop("transfer", None)
            if category == "accusation":
                options = {"refer_discipline": 45, "transfer": 45, "not_accept": 5, "assign": 5}
            routing = ch(force, "routing", options)
            if routing not in options and routing not in ("transfer", "assign", "void"):
                routing = next(iter(options))
            target = self._target(topic, unit, accused)
            gap = self._route_gap()
            router = intake
            if (
                intake.level == Level.CITY
                and unit.level == Level.COUNTY
                and accused is None
                and routing in ("transfer", "assign", *(_OBJECTED if force.get("chain") else ()))
                and (force.get("chain") or rng.random() < 0.35)
            ):
                # 逐级转送: the city office passes a county matter to the county office
                add(A.TRANSFER, intake, gap, S.TRANSFERRED, role=REG, to_organ_id=unit.po.pk)
                router, gap = unit.po, r(0, 6)
            if routing == "void":  # a letter registered twice; only the showcase asks for it
                add(A.VOID, intake, r(0, 2), S.VOIDED, _WHY["void"], REG)
                close = False
            elif routing == "refer_legal":
                to = unit.police if topic.dept == "police" else unit.court
                add(A.REFER_LEGAL, router, gap, S.REFERRED_LEGAL, role=REG, to_organ_id=to.pk)
            elif routing == "refer_discipline":
                to = self._discipline(unit, accused)
                add(
                    A.REFER_DISCIPLINE,
                    router,
                    gap,
                    S.REFERRED_DISCIPLINE,
                    role=REG,
                    to_organ_id=to.pk,
                )
            elif routing == "not_accept":
                ground = rng.choice(("duplicate_higher", "other", "other"))
                add(A.NOT_ACCEPT, router, gap, S.NOT_ACCEPTED, _WHY[ground], REG, ground=ground)
            else:
                dispatched = A.ASSIGN if routing == "assign" else A.TRANSFER
                state = S.ASSIGNED if routing == "assign" else S.TRANSFERRED
                data: dict[str, Any] = {"to_organ_id": target.pk}
                if routing == "assign":
                    data["report_due_days"] = rng.choice((30, 45, 60))
                add(dispatched, router, gap, state, role=REG, **data)
                holder = target
                if routing in ("object_accept", "object_reject"):
                    add(A.OBJECT, target, r(1, 4), S.OBJECTED, _WHY["object"].format(target.name))
                    if routing == "object_accept":
                        add(A.OBJECTION_ACCEPT, router, r(0, 3), S.ROUTING, _WHY["accept"], REG)
                        holder = self._alternative(unit, target, accused)
                        dispatched = A.TRANSFER
                        add(
                            A.TRANSFER,
                            router,
                            r(0, 3),
                            S.TRANSFERRED,
                            role=REG,
                            to_organ_id=holder.pk,
                        )
                    else:
                        add(A.OBJECTION_REJECT, router, r(0, 3), state, _WHY["reject"], REG)
                self._handle(force, steps, topic, holder, category, route, dispatched, accused)
        if steps and steps[-1].state in _FINAL_OR_CLOSED and dispatched == A.ASSIGN:
            if not any(s.action == A.REPORT_RESULT for s in steps):
                if rng.random() < 0.8:
                    # the 办结报告 owed to the assigning office (Art. 22(3)); archiving waits for it
                    holder = self._holder_after(steps)
                    add(A.REPORT_RESULT, holder, r(1, 7), steps[-1].state, _WHY["report"])
                else:
                    close = False
        if close and steps and steps[-1].state in _FINAL_OR_CLOSED:
            role = REG if steps[-1].state == S.NOT_ACCEPTED else Role.HANDLER
            add(
                A.CLOSE, self._holder_after(steps), r(5, 45), S.CLOSED, role=role
            )  # archived weeks later
        return steps

    def _holder_after(self, steps: list[_Step]) -> Organ:
        """The organ holding the petition after the last step (who reports and archives)."""
        last = steps[-1]
        if last.action in (A.REFER_LEGAL, A.REFER_DISCIPLINE, A.TRANSFER, A.ASSIGN):
            return self._organ_by_pk(last.data["to_organ_id"])
        return last.organ

    def _route_gap(self) -> int:
        if self.rng.random() < 0.06:
            return self.rng.randint(16, 24)  # routed late: T1 met after its due date
        return self.rng.randint(0, 9)

    def _target(self, topic: _Topic, unit: _Unit, accused: Organ | None) -> Organ:
        if accused is not None:
            # Never to the accused organ or below it (Art. 30 para 3): to a government above.
            while _in_subtree(unit.gov, accused) and unit.parent is not None:
                unit = unit.parent
            return unit.gov
        return unit.organ(topic.dept)

    def _alternative(self, unit: _Unit, target: Organ, accused: Organ | None) -> Organ:
        if accused is not None:
            return self._target(topic=TOPICS[0], unit=unit, accused=accused)
        return self.rng.choice([o for o in unit.depts.values() if o.pk != target.pk])

    def _discipline(self, unit: _Unit, accused: Organ | None) -> Organ:
        u: _Unit | None = unit
        while u is not None and _in_subtree(u.discipline, accused):
            u = u.parent
        return (u or self.province).discipline

    def _handle(
        self,
        force: dict[str, Any],
        steps: list[_Step],
        topic: _Topic,
        organ: Organ,
        category: str,
        route: int | None,
        dispatched: Action | None,
        accused: Organ | None,
    ) -> None:
        """Acceptance and handling at the competent organ, then the remedies (Arts. 23, 29–36)."""
        rng, ch, r = self.rng, self._choice, self.rng.randint
        add = _adder(steps)
        HEAD, REG = Role.ORGAN_HEAD, Role.REGISTRAR
        ack_gap = r(0, 12) if rng.random() < 0.93 else r(16, 22)
        add(A.ACKNOWLEDGE, organ, ack_gap, S.ACKNOWLEDGED, category=category, route=route)
        if organ.kind in (OrganKind.POLITICAL_LEGAL, OrganKind.DISCIPLINE) or route in (1, 2, 3, 4):
            fits = {"channel": 100.0}
        elif category == "suggestion":
            fits = {"reply": 100.0}
        elif category == "accusation":
            fits = {"reply": 75.0, "refer_discipline": 25.0}
        elif route == 5:
            fits = {"reply": 82.0, "settle": 18.0}
        else:
            fits = {"opinion": 85.0, "settle": 15.0}
        handling = ch(force, "handling", fits)
        if handling not in fits:  # a forced choice that does not fit this petition
            handling = next(iter(fits))
        if handling == "channel":
            add(A.CHANNEL, organ, r(1, 10), S.CHANNELLED, _CHANNEL_NOTICE[route or 1])
            return
        if handling == "refer_discipline":
            to = self._discipline(self._unit_of(organ), accused)
            add(A.REFER_DISCIPLINE, organ, r(1, 10), S.REFERRED_DISCIPLINE, to_organ_id=to.pk)
            return
        start_state = S.SUGGESTION_REVIEW if category == "suggestion" else S.IN_HANDLING
        add(A.START_HANDLING, organ, r(0, 3), start_state)
        if handling == "reply":
            if category == "suggestion":
                text = _WHY["thanks"].format(topic.ask.removeprefix("建议"))
            else:
                text = _WHY["reply"].format(rng.choice(("基本属实", "部分属实", "不属实")))
            late = rng.random() < 0.1 and route == 5
            # a suggestion is answered by its decision (Art. 29): the seed opens its study and
            # decides it through the resolution services (seed._drive), never a plain reply
            study = {"suggestion_subject": topic.ask} if category == "suggestion" else {}
            add(A.REPLY, organ, r(61, 80) if late else r(8, 50), S.REPLIED, text, **study)
            self._report(steps, organ, dispatched)
            return
        route6 = route == 6
        extend = route6 and ch(force, "extend", {True: 22, False: 78})
        if extend:
            days = rng.choice((15, 20, 30, 30))
            add(A.EXTEND, organ, r(35, 50), S.IN_HANDLING, _WHY["extend"], HEAD, days=days)
        if route6 and rng.random() < 0.08:
            add(A.HEARING_START, organ, r(3, 8), S.IN_HANDLING)
            add(A.HEARING_END, organ, r(0, 2), S.IN_HANDLING)
        if handling == "settle":
            agreement = rng.choice(("mediation", "settlement"))
            summary = _WHY["settle"].format(topic.ask)
            add(A.SETTLE, organ, r(7, 40), S.SETTLED, agreement=agreement, summary=summary)
            self._report(steps, organ, dispatched)
            return
        late = not extend and rng.random() < 0.1
        self._opinion(
            steps, organ, r(15, 30) if extend else r(62, 75) if late else r(15, 55), topic
        )
        self._report(steps, organ, dispatched)
        add(A.RECORD_DELIVERY, organ, r(1, 6), S.OPINION_ISSUED, **self._delivery())
        remedy = ch(
            force, "remedy", {"expire": 58, "review": 18, "re_review": 9, "redo": 5, "none": 10}
        )
        parent = self._organ_by_pk(organ.parent_id) if organ.parent_id else None
        if remedy in ("review", "re_review", "redo") and parent is None:
            remedy = "expire"
        if remedy == "re_review" and (parent is None or parent.parent_id is None):
            remedy = "review"
        if remedy == "none":
            return
        if remedy == "expire":
            add(A.EXPIRE_WINDOW, organ, r(40, 55), S.FINAL_NO_APPEAL)
            return
        assert parent is not None
        add(A.REQUEST_REVIEW, parent, r(4, 25), S.REVIEW_REQUESTED, role=REG)
        if remedy == "redo":
            redo = {
                **self._opinion_data(topic),
                "outcome": ReviewOutcome.REDO.value,
                "redo_days": 30,
            }
            add(A.DECIDE_REVIEW, parent, r(10, 28), S.IN_HANDLING, role=HEAD, **redo)
            self._opinion(steps, organ, r(10, 25), topic)
            add(A.RECORD_DELIVERY, organ, r(1, 5), S.OPINION_ISSUED, **self._delivery())
            add(A.EXPIRE_WINDOW, organ, r(40, 55), S.FINAL_NO_APPEAL)
            return
        outcome = _pick(rng, {ReviewOutcome.UPHOLD.value: 80, ReviewOutcome.VARY.value: 20})
        decided = {**self._opinion_data(topic), "outcome": outcome}
        add(A.DECIDE_REVIEW, parent, r(10, 28), S.REVIEW_DECIDED, role=HEAD, **decided)
        add(A.RECORD_DELIVERY, parent, r(1, 5), S.REVIEW_DECIDED, **self._delivery())
        if remedy == "review":
            add(A.EXPIRE_WINDOW, parent, r(40, 55), S.FINAL_NO_APPEAL)
            return
        grand = self._organ_by_pk(parent.parent_id)
        add(A.REQUEST_RE_REVIEW, grand, r(4, 25), S.RE_REVIEW_REQUESTED, role=REG)
        if rng.random() < 0.3:
            add(A.HEARING_START, grand, r(5, 12), S.RE_REVIEW_REQUESTED)
            add(A.HEARING_END, grand, r(1, 5), S.RE_REVIEW_REQUESTED)
        final = {**self._opinion_data(topic), "outcome": "uphold"}
        add(A.DECIDE_RE_REVIEW, grand, r(8, 25), S.TERMINATED, role=HEAD, **final)
        add(A.RECORD_DELIVERY, grand, r(1, 5), S.TERMINATED, **self._delivery())

    def _report(self, steps: list[_Step], organ: Organ, dispatched: Action | None) -> None:
        if dispatched == A.ASSIGN and self.rng.random() < 0.9:
            gap = self.rng.randint(1, 7)
            _adder(steps)(A.REPORT_RESULT, organ, gap, steps[-1].state, _WHY["report"])

    def _opinion(self, steps: list[_Step], organ: Organ, gap: int, topic: _Topic) -> None:
        outcome = _pick(self.rng, {"support": 35, "explain": 40, "not_support": 25})
        data = {**self._opinion_data(topic), "outcome": OpinionOutcome(outcome).value}
        _adder(steps)(A.ISSUE_OPINION, organ, gap, S.OPINION_ISSUED, role=Role.ORGAN_HEAD, **data)

    def _opinion_data(self, topic: _Topic) -> dict[str, Any]:
        rng = self.rng
        return {
            "request": f"信访人请求{topic.ask}。",
            "facts": rng.choice(
                (
                    "经调查核实，信访人反映的情况基本属实，相关单位已承诺限期整改。",
                    "经调阅档案、现场核查并听取各方意见，信访人反映的情况部分属实。",
                    "经调查，相关处理符合法律法规和政策规定，信访人的请求缺乏依据。",
                )
            ),
            "decision": rng.choice(
                (
                    "支持信访人的合理诉求，责成相关单位在三十日内落实。",
                    "对信访人反映的问题作出解释说明，相关政策依据已当面告知。",
                    "信访人的请求不符合有关规定，不予支持。",
                )
            ),
            "legal_basis": "《信访工作条例》第三十二条；相关法律法规和政策规定。",
        }

    def _delivery(self) -> dict[str, Any]:
        return {
            "method": _pick(self.rng, {"in_person": 50, "post": 35, "electronic": 15}),
            "signed": self.rng.random() < 0.93,
        }
