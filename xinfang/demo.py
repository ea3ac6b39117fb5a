"""A synthetic province for demos: 青岚省 (region codes 99xxxx, fictional), its organs, staff and
18 months of petitions driven through the real service layer.

Nothing here is real: names, places, companies and texts come from the templates below, filled
with a seeded :class:`random.Random`, so the same ``seed`` gives the same province and the same
story of every petition (tracking codes and query passwords stay random: they are secrets).

Every petition is written by ``petition_register_many`` (or ``petition_register`` for the online
submissions still waiting for a clerk) and every step after that by ``petition_act`` with the
real past date of the step, in order, so the event log, the deadlines and the worklists are
exactly what the services would have produced had the staff worked through those 18 months.

``petition_register_many`` takes no ``at``: it registers at ``clock.now()``. To register past
petitions in bulk the generator sets the project's clock (``xinfang.core.clock.now``, the one
source of "now") to the registration time of each batch, and to the time of each step while it
acts, then puts the real clock back. Nothing else is patched.
"""

from __future__ import annotations

import random
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, Organ, OrganKind, Region, Role, User
from xinfang.directory.permissions import user_can_act, user_can_register
from xinfang.directory.services import organ_create, staff_create
from xinfang.petitions.models import Petition
from xinfang.petitions.services import (
    PartyInput,
    PetitionInput,
    petition_act,
    petition_register,
    petition_register_many,
)
from xinfang.petitions.workflow import Action, OpinionOutcome, ReviewOutcome, State

DEMO_PASSWORD = "xinfang-demo-2026"
DAYS_BACK = 548  # about 18 months
A = Action
S = State

# ---------------------------------------------------------------------------------------------
# The directory: one fictional province, 5 cities, 20 counties and districts
# ---------------------------------------------------------------------------------------------

PROVINCE = ("990000", "青岚省")
CITIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("990100", "东湖市", (("990102", "青山区"), ("990103", "白石区"), ("990121", "桃源县"), ("990122", "柳河县"))),
    ("990200", "西岭市", (("990202", "松涛区"), ("990203", "云台区"), ("990221", "岚溪县"), ("990222", "梅溪县"))),
    ("990300", "南川市", (("990302", "金穗区"), ("990303", "望月区"), ("990321", "竹林县"), ("990322", "澄波县"))),
    ("990400", "北塘市", (("990402", "长桥区"), ("990403", "银杏区"), ("990421", "鹿鸣县"), ("990422", "青禾县"))),
    ("990500", "雁湖市", (("990502", "湖滨区"), ("990503", "凤栖区"), ("990521", "芦花县"), ("990522", "安澜县"))),
)  # fmt: skip

# key, province-level name, city/county-level name
DEPARTMENTS = (
    ("housing", "住房和城乡建设厅", "住房和城乡建设局"),
    ("hrss", "人力资源和社会保障厅", "人力资源和社会保障局"),
    ("land", "自然资源厅", "自然资源局"),
    ("env", "生态环境厅", "生态环境局"),
    ("edu", "教育厅", "教育局"),
    ("health", "卫生健康委员会", "卫生健康委员会"),
    ("transport", "交通运输厅", "交通运输局"),
    ("market", "市场监督管理局", "市场监督管理局"),
)


@dataclass
class _Unit:
    """One administrative level in one place and its organs."""

    region: Region
    level: str
    name: str
    gov: Organ
    po: Organ
    depts: dict[str, Organ]
    court: Organ
    police: Organ
    discipline: Organ
    parent: _Unit | None = None
    towns: tuple[str, ...] = ()

    def organ(self, key: str) -> Organ:
        if key == "court":
            return self.court
        if key == "police":
            return self.police
        if key == "discipline":
            return self.discipline
        if key == "gov":
            return self.gov
        return self.depts[key]


_TOWN_WORDS = "城关 新华 东风 石桥 河口 柳林 杏花 白沙 清源 龙泉 黄土 双庙 三岔 大营 南湖 古镇 长岭 竹园 枫林 永安"


def _unit(code: str, name: str, level: str, parent: _Unit | None, rng: random.Random) -> _Unit:
    region = Region.objects.create(
        code=code, name=name, level=level, parent=parent.region if parent else None
    )
    K = OrganKind
    prov = level == Level.PROVINCE

    def mk(suffix: str, kind: str, up: Organ | None) -> Organ:
        return organ_create(
            name=f"{name}{suffix}", kind=kind, level=level, region=region, parent=up
        )

    gov = mk("人民政府", K.COMPETENT, parent.gov if parent else None)
    po = mk("信访局", K.PETITION_OFFICE, gov)
    depts = {key: mk(p if prov else c, K.COMPETENT, gov) for key, p, c in DEPARTMENTS}
    court_name = {Level.PROVINCE: "高级人民法院", Level.CITY: "中级人民法院"}.get(level, "人民法院")
    police_name = "公安厅" if prov else ("公安分局" if name.endswith("区") else "公安局")
    court = mk(court_name, K.POLITICAL_LEGAL, gov)
    police = mk(police_name, K.POLITICAL_LEGAL, gov)
    discipline = mk("纪委监委", K.DISCIPLINE, gov)
    words = _TOWN_WORDS.split()
    towns = tuple(
        f"{w}{'街道' if i % 3 == 0 else '镇'}" for i, w in enumerate(rng.sample(words, 5))
    )
    return _Unit(region, level, name, gov, po, depts, court, police, discipline, parent, towns)


# ---------------------------------------------------------------------------------------------
# Text templates
# ---------------------------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕鹏辉建国志强海波建华文丽春梅晓东小红德明淑珍桂兰秀兰国华永红宏伟新民海燕"
_ESTATE = "锦绣 阳光 幸福 和平 翠湖 碧水 金色 名门 东方 滨江 紫荆 丽景 枫丹 香樟 桂花 书香 怡和 康乐 祥瑞 云锦"
_ESTATE_SUFFIX = ("小区", "花园", "家园", "苑", "雅居")
_FIRM = "宏达 鑫源 华盛 恒通 瑞丰 永盛 金鼎 长兴 远航 德润 嘉禾 汇通 中诚 天成 龙腾 佳美 博远 安泰 顺发 盛世"
_INDUSTRY = (
    "建设工程",
    "房地产开发",
    "化工",
    "食品",
    "物业服务",
    "建材",
    "纺织",
    "教育咨询",
    "商贸",
    "机械制造",
)
_VILLAGE = "李家 王庄 柳树 石门 大湾 河西 桥头 新庄 下坪 杨柳 马家 黄泥 前进 红旗 东岗"
_ROAD = (
    "建设路",
    "人民路",
    "解放路",
    "朝阳路",
    "滨河路",
    "文化路",
    "新华路",
    "青年路",
    "工业大道",
    "环城路",
)


@dataclass(frozen=True)
class _Topic:
    dept: str  # the department (key), or court / police / discipline / gov
    category: str  # suggestion | accusation | appeal
    routes: tuple[tuple[int, int], ...]  # (route, weight) for appeals
    titles: tuple[str, ...]
    body: tuple[str, ...]
    ask: str  # the request, in the petitioner's words
    accused: str | None = None  # accusations: the department accused, if an organ is named
    weight: int = 10


_T = _Topic
TOPICS: tuple[_Topic, ...] = (
    _T("housing", "appeal", ((6, 6), (5, 4)), ("{estate}开发商逾期交房", "{estate}逾期{months}个月未交房"),
       ("我们是{place}{estate}的业主，共{n}户。{company}承诺于{year}年底交房，至今已逾期{months}个月，工地长期停工。",
        "业主多次与开发商协商未果，部分业主一边还房贷一边租房居住，生活十分困难。"),
       "督促开发商尽快复工交房，并依合同支付逾期违约金", weight=16),
    _T("housing", "appeal", ((5, 8), (6, 2)), ("{estate}物业公司服务差、乱收费", "{estate}物业不作为"),
       ("{place}{estate}由{company}提供物业服务。近一年来电梯频繁故障、垃圾清运不及时，物业公司还擅自上调停车费。",
        "业主反映多次，物业公司均未整改。"),
       "责令物业公司整改并退还多收的费用", weight=12),
    _T("housing", "appeal", ((6, 5), (5, 5)), ("老旧小区改造工程质量差", "{estate}改造施工扰民"),
       ("{place}{estate}纳入{year}年老旧小区改造，施工单位{company}偷工减料，外墙保温层刚做完就开裂脱落。",
        "施工时间常至深夜，噪声严重影响居民休息。"),
       "组织质量检测，责令施工单位返工并规范施工时间", weight=8),
    _T("housing", "suggestion", (), ("建议在{estate}增设电动自行车集中充电设施",),
       ("{place}{estate}居民多以电动自行车代步，楼道内飞线充电现象严重，存在火灾隐患。",),
       "建议在小区内规划建设集中充电棚", weight=5),
    _T("hrss", "appeal", ((5, 6), (2, 4)), ("{company}拖欠{n}名工人工资", "讨要被拖欠的劳务工资"),
       ("我们{n}人在{place}{company}承建的项目上务工，自{year}年起被拖欠工资共计{amount}元。",
        "项目负责人一直以甲方未付工程款为由推脱，我们多次讨要无果。"),
       "督促用人单位支付拖欠的工资", weight=14),
    _T("hrss", "appeal", ((4, 7), (6, 3)), ("工伤认定申请久拖未决",),
       ("本人在{company}工作期间受伤，于{year}年向人社部门提交工伤认定申请，至今已{months}个月仍无结论。",),
       "尽快作出工伤认定决定", weight=6),
    _T("hrss", "appeal", ((5, 7), (2, 3)), ("企业未依法为职工缴纳社会保险",),
       ("{company}自成立以来未给{n}名员工缴纳社会保险，员工多次提出，公司以效益不好为由拒绝。",),
       "责令企业依法补缴社会保险", weight=6),
    _T("hrss", "suggestion", (), ("建议简化灵活就业人员参保手续",),
       ("目前灵活就业人员办理参保需多次往返窗口，材料繁杂。",),
       "建议推行网上一次办结", weight=3),
    _T("land", "appeal", ((6, 8), (4, 2)), ("{village}征地补偿款未足额发放", "征地补偿标准过低"),
       ("{place}{village}村{year}年被征收集体土地，村民至今未足额领取补偿款，每亩比公示标准少{amount}元。",
        "村民多次到镇政府反映，至今没有答复。"),
       "核实征地补偿款发放情况，依法足额补发", weight=12),
    _T("land", "appeal", ((4, 7), (6, 3)), ("不动产权证迟迟无法办理", "{estate}业主办证难"),
       ("{place}{estate}交房已{months}个月，因开发商欠缴土地出让金，业主一直无法办理不动产权证。",),
       "协调解决办证问题", weight=8),
    _T("land", "accusation", (), ("{village}违法占用耕地建厂",),
       ("{place}{village}村有人违法占用基本农田建设厂房，占地约{n}亩，已建成三栋钢结构厂房。",),
       "依法查处违法占地行为", weight=5),
    _T("env", "appeal", ((5, 10),), ("{company}夜间排放刺鼻废气", "工厂排污严重影响周边居民"),
       ("{place}{company}经常在夜间排放刺鼻气体，附近{estate}居民门窗紧闭仍能闻到，不少老人孩子出现咳嗽症状。",),
       "依法查处企业违法排污行为", weight=10),
    _T("env", "appeal", ((5, 10),), ("{estate}楼下餐馆油烟噪声扰民",),
       ("{place}{estate}楼下三家餐馆每晚营业至凌晨，油烟直排、噪声严重，影响居民休息。",),
       "责令餐馆安装油烟净化设施并控制营业噪声", weight=8),
    _T("env", "suggestion", (), ("建议加强{village}河道垃圾清理",),
       ("{place}{village}段河道漂浮垃圾较多，夏季异味明显。",),
       "建议建立河道保洁长效机制", weight=3),
    _T("edu", "appeal", ((6, 7), (5, 3)), ("{school}入学划片不合理",),
       ("我家住在{place}{estate}，距{school}仅五百米，却被划入三公里外的学校，孩子上学极不方便。",),
       "重新研究学区划分方案", weight=7),
    _T("edu", "appeal", ((5, 10),), ("校外培训机构停业后拒不退费",),
       ("本人在{company}为孩子缴纳培训费{amount}元，机构突然停业，负责人拒不退费，涉及学员{n}人。",),
       "督促培训机构退还剩余课时费用", weight=6),
    _T("edu", "appeal", ((6, 10),), ("原代课教师要求落实待遇",),
       ("本人于上世纪在{place}从事代课教师工作{months}年，现年老体弱，生活困难。",),
       "落实原代课教师生活补助", weight=4),
    _T("edu", "suggestion", (), ("建议改善{school}周边上下学交通秩序",),
       ("{school}门口每天上下学时段车辆乱停乱放，学生安全隐患突出。",),
       "建议设置临时停车区并安排交通疏导", weight=4),
    _T("health", "appeal", ((1, 5), (4, 5)), ("在{hospital}就医后发生医疗纠纷",),
       ("本人家属在{hospital}接受手术后出现严重并发症，医院拒不承认存在过错，协商赔偿未果。",),
       "要求医院承担赔偿责任", weight=5),
    _T("health", "appeal", ((5, 10),), ("{hospital}收费不合理",),
       ("本人在{hospital}住院{n}天，出院结算时发现多项重复收费，合计{amount}元。",),
       "核查并退还多收的医疗费用", weight=5),
    _T("transport", "appeal", ((5, 10),), ("{road}路面破损长期未修",),
       ("{place}{road}路面坑洼不平已有{months}个月，雨天积水严重，已发生多起电动车摔倒事故。",),
       "尽快组织维修", weight=6),
    _T("transport", "suggestion", (), ("建议开通{village}至城区的公交线路",),
       ("{place}{village}村距城区十余公里，村民出行只能乘坐私人面包车，安全没有保障。",),
       "建议开通或延伸公交线路", weight=5),
    _T("market", "appeal", ((5, 10),), ("{company}销售过期食品", "超市销售过期变质食品"),
       ("本人在{place}{company}经营的超市购买的食品已超过保质期，与店方交涉被拒绝退换。",),
       "依法查处并责令退赔", weight=6),
    _T("market", "appeal", ((5, 10),), ("预付卡商家关门跑路",),
       ("{place}{company}经营的健身房突然关门，会员{n}人预付卡余额合计{amount}元无法退还。",),
       "督促商家退款并依法查处", weight=6),
    _T("market", "suggestion", (), ("建议加强农贸市场食品安全抽检",),
       ("{place}农贸市场部分摊位蔬菜农药残留问题群众反映较多。",),
       "建议增加快检频次并公示结果", weight=3),
    _T("court", "appeal", ((1, 10),), ("民事判决生效后长期未执行",),
       ("本人与{company}买卖合同纠纷一案判决已生效{months}个月，对方至今未履行，执行无进展。",),
       "要求法院加大执行力度", weight=5),
    _T("police", "appeal", ((1, 10),), ("报警后长期未立案",),
       ("本人被{company}以投资为名骗取{amount}元，报警后{months}个月仍未立案。",),
       "要求公安机关依法立案侦查", weight=4),
    _T("discipline", "appeal", ((3, 10),), ("对所受党纪处分不服申请复审",),
       ("本人系{place}某单位党员，{year}年受到党内警告处分，认为认定事实不清。",),
       "请求复审撤销处分", weight=2),
    _T("gov", "accusation", (), ("{village}村干部侵占集体资金",),
       ("{place}{village}村党支部书记在{year}年村集体土地流转中虚报面积，侵占流转收益约{amount}元。",),
       "依法查处村干部的违纪违法行为", weight=7),
    _T("gov", "accusation", (), ("{place}工作人员吃拿卡要",),
       ("{dept_name}个别工作人员在办理审批时多次暗示送礼，不送就以材料不全为由拖延。",),
       "严肃查处并整改作风问题", accused="market", weight=5),
    _T("gov", "accusation", (), ("{dept_name}违规审批建设项目",),
       ("{dept_name}在{company}项目审批中未按规定公示，涉嫌违规审批、利益输送。",),
       "调查核实并追究相关人员责任", accused="housing", weight=4),
    _T("gov", "accusation", (), ("{dept_name}工作人员违规收费",),
       ("{dept_name}在不动产登记中以加急为名额外收取费用每件{fee}元，不开票据。",),
       "查处违规收费并退还", accused="land", weight=4),
)  # fmt: skip

_CHANNEL_NOTICE = {
    1: "该事项应当通过诉讼程序解决，已书面告知信访人依法向人民法院提起诉讼或申请执行。",
    2: "该事项属于劳动人事争议，已书面告知信访人向劳动人事争议仲裁委员会申请仲裁。",
    3: "该事项属于党员申诉，已告知信访人依照《中国共产党党员权利保障条例》向有关党组织提出申诉。",
    4: "该事项可以通过行政复议、行政裁决或行政确认等程序解决，已书面告知信访人相应的程序和受理机关。",
}


_WHY = {
    "redirect": "该事项不属于本机关职权范围，已告知信访人向有权处理的机关提出。",
    "in_law": "该事项正在法定途径办理中，依法不予受理。",
    "duplicate_higher": "该事项已由上级机关受理办理，信访人又向本机关提出同一事项，依照第十九条第三款不予受理。",
    "other": "信访人未提供具体诉求和事实理由，经告知补充后仍未补正，不予受理。",
    "object": "该事项不属于{}的职权范围，请重新转送有权处理的机关。",
    "accept": "经核实，异议理由成立，收回重新转送。",
    "reject": "经研究，该事项属于贵单位职责范围，请依法办理。",
    "report": "已按要求办结，现将办理情况和信访人意见报告如下。",
    "thanks": "感谢您的建议。经研究，我单位将{}纳入下一年度工作计划统筹考虑。",
    "reply": "经调查核实，您反映的问题{}，我单位已依法处理：已责令相关单位限期整改，并将持续跟踪。",
    "extend": "案情复杂，需要进一步调查核实，延长办理期限。",
    "settle": "双方就{}达成一致，签订协议，信访人不再就此事项提出信访。",
    "repeat": "信访人以同一事实和理由再次提出，该事项已经复核终结，依照第三十六条第三款不再受理。",
}


# ---------------------------------------------------------------------------------------------
# A petition's story as a plan of steps
# ---------------------------------------------------------------------------------------------


@dataclass
class _Step:
    action: Action
    organ: Organ  # the organ whose staff takes the step
    gap: int  # whole days after the previous event (0: later the same day)
    state: State  # the state after the step
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    role: str = Role.HANDLER  # the role that would normally take the step


@dataclass
class _Plan:
    unit: _Unit  # where the matter is
    intake: Organ
    topic: _Topic
    fields: dict[str, Any]  # PetitionInput fields but received_at
    steps: list[_Step]
    lag_days: int  # receipt to registration
    want: State | None = None
    received_at: datetime | None = None
    registered_at: datetime | None = None
    times: list[datetime] = field(default_factory=list)
    petition_id: int | None = None


_FINAL_OR_CLOSED = {
    S.REDIRECTED,
    S.NOT_ACCEPTED,
    S.CHANNELLED,
    S.REPLIED,
    S.SETTLED,
    S.TERMINATED,
    S.FINAL_NO_APPEAL,
    S.REFERRED_LEGAL,
    S.REFERRED_DISCIPLINE,
    S.CLOSED,
}

# Choices a showcase petition must take to end in the wanted state (the rest is drawn at random).
_ROUTED = {"intake": "po", "routing": "transfer", "first": "ack"}
WANT: dict[State, dict[str, Any]] = {
    S.REGISTERED: {},
    S.ROUTING: {"intake": "po", "routing": "object_accept"},
    S.TRANSFERRED: {"intake": "po", "routing": "transfer"},
    S.ASSIGNED: {"intake": "po", "routing": "assign"},
    S.REFERRED_LEGAL: {"intake": "po", "category": "appeal", "route": 1, "routing": "refer_legal", "close": False},
    S.REFERRED_DISCIPLINE: {"intake": "po", "category": "accusation", "routing": "refer_discipline", "close": False},
    S.OBJECTED: {"intake": "po", "routing": "object_reject"},
    S.ACKNOWLEDGED: {"first": "ack", "routing": "transfer"},
    S.REDIRECTED: {"intake": "direct", "first": "redirect", "close": False},
    S.NOT_ACCEPTED: {"intake": "po", "routing": "not_accept", "close": False},
    S.CHANNELLED: {**_ROUTED, "category": "appeal", "handling": "channel", "close": False},
    S.IN_HANDLING: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion"},
    S.SUGGESTION_REVIEW: {**_ROUTED, "category": "suggestion"},
    S.REPLIED: {**_ROUTED, "handling": "reply", "close": False},
    S.OPINION_ISSUED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "none"},
    S.SETTLED: {**_ROUTED, "category": "appeal", "handling": "settle", "close": False},
    S.REVIEW_REQUESTED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "review"},
    S.REVIEW_DECIDED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "review"},
    S.RE_REVIEW_REQUESTED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "re_review"},
    S.TERMINATED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "re_review", "close": False},
    S.FINAL_NO_APPEAL: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "expire", "close": False},
    S.CLOSED: {"close": True},
}  # fmt: skip


def _pick(rng: random.Random, options: dict[Any, float]) -> Any:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def _in_subtree(organ: Organ, root: Organ | None) -> bool:
    return root is not None and (organ.pk == root.pk or organ.path.startswith(root.path))


def _adder(steps: list[_Step]) -> Callable[..., None]:
    """``add(action, organ, gap, state, reason="", role=handler, **data)`` appends a step."""

    def add(
        action: Action,
        organ: Organ,
        gap: int,
        state: State,
        reason: str = "",
        role: str = Role.HANDLER,
        **data: Any,
    ) -> None:
        steps.append(_Step(action, organ, gap, state, reason, data, role))

    return add


class _Planner:
    def __init__(
        self, rng: random.Random, province: _Unit, cities: list[_Unit], counties: list[_Unit]
    ):
        self.rng = rng
        self.province = province
        self.cities = cities
        self.counties = counties
        # The first county and city carry the demo logins: give them a larger share.
        self.county_weights = [
            6.0 if i == 0 else rng.uniform(0.6, 2.0) for i in range(len(counties))
        ]
        self.city_weights = [3.0 if i == 0 else rng.uniform(0.6, 1.5) for i in range(len(cities))]

    # -- the petition itself ------------------------------------------------------------------

    def plan(self, want: State | None = None, **extra: Any) -> _Plan:
        force = {**(WANT.get(want, {}) if want is not None else {}), **extra}
        for _ in range(200):
            plan = self._attempt(force)
            if want is None:
                return plan
            cut = _cut_for(plan.steps, want)
            if cut is not None:
                plan.steps = plan.steps[:cut]
                plan.want = want
                return plan
        raise RuntimeError(f"no plan reaches {want}")  # pragma: no cover - a table error

    def _choice(self, force: dict[str, Any], name: str, options: dict[Any, float]) -> Any:
        if name in force:
            return force[name]
        return _pick(self.rng, options)

    def _attempt(self, force: dict[str, Any]) -> _Plan:
        rng = self.rng
        category = force.get("category")
        route = force.get("route")
        topics = [
            t
            for t in TOPICS
            if (category is None or t.category == category)
            and (route is None or any(r == route for r, _w in t.routes))
        ]
        if force.get("demo_county") and rng.random() < 0.6:
            topics = [t for t in topics if t.dept == "housing"] or topics  # the handler logins
        topic = rng.choices(topics, weights=[t.weight for t in topics])[0]
        category = topic.category
        if category == "appeal":
            route = route or _pick(rng, dict(topic.routes))
        else:
            route = None
        intake_kind = self._choice(
            force, "intake", {"po": 70, "upper_po": 14, "direct": 12, "province": 4}
        )
        if intake_kind == "direct" and (
            topic.dept in ("court", "police", "discipline") or topic.accused
        ):
            intake_kind = "po"
        county = rng.choices(self.counties, weights=self.county_weights)[0]
        if force.get("demo_county"):
            county = self.counties[0]  # where the county and city logins work
        city = county.parent
        assert city is not None
        unit: _Unit
        if intake_kind == "province":
            unit, intake = self.province, self.province.po
        elif intake_kind == "upper_po":
            # a city matter, or a county matter brought straight to the city office
            unit, intake = (city if rng.random() < 0.5 else county), city.po
        elif intake_kind == "direct":
            unit = city if rng.random() < 0.3 else county
            intake = unit.organ(topic.dept)
        else:
            unit, intake = county, county.po
        assert unit is not None
        accused = None
        if topic.accused:
            accused = unit.depts[topic.accused]
            if rng.random() < 0.12 and unit.parent is not None and intake.level == Level.COUNTY:
                # now and then a county government itself is accused: the city takes it
                accused = unit.gov
                intake = unit.parent.po
        fields = self._fields(topic, unit, category, route, accused)
        lag = (
            0
            if fields["channel"] in ("visit", "phone", "hotline")
            else rng.choice((0, 0, 1, 1, 2, 3))
        )
        steps = self._steps(force, topic, unit, intake, category, route, accused)
        return _Plan(
            unit=unit, intake=intake, topic=topic, fields=fields, steps=steps, lag_days=lag
        )

    def _fields(
        self, topic: _Topic, unit: _Unit, category: str, route: int | None, accused: Organ | None
    ) -> dict[str, Any]:
        rng = self.rng
        slots = self._slots(unit, topic)
        title = rng.choice(topic.titles).format(**slots)
        body = "".join(b.format(**slots) for b in topic.body)
        if category == "suggestion":
            content = f"{body}{topic.ask}。"
        else:
            lead = rng.choice(("现请求", "为此请求", "恳请有关部门", "特此反映，请求"))
            content = f"{body}{lead}{topic.ask}。"
        channel = _pick(
            rng, {"online": 30, "letter": 20, "visit": 24, "phone": 10, "fax": 2, "hotline": 14}
        )
        anonymous = category == "accusation" and rng.random() < 0.35 or rng.random() < 0.02
        collective = (
            not anonymous
            and topic.dept in ("housing", "hrss", "land", "env", "market")
            and rng.random() < 0.16
        )
        parties: list[PartyInput] = []
        head_count = 1
        if not anonymous:
            parties.append(self._person("petitioner", unit, channel))
            if collective:
                head_count = rng.randint(5, 80)
                parties += [
                    self._person("representative", unit, channel) for _ in range(rng.randint(1, 5))
                ]
            if rng.random() < 0.06:
                parties.append(
                    PartyInput(
                        role="agent",
                        name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}律师",
                        phone=self._phone(),
                        address=f"{unit.name}{rng.choice(('正义', '明理', '公信'))}律师事务所",
                    )
                )
        # Category left open at intake now and then: the organ sets it when it accepts.
        blank = category != "accusation" and rng.random() < 0.06
        return dict(
            channel=channel,
            title=title[:200],
            content=content,
            region_code=unit.region.code,
            category="" if blank else category,
            route=None if blank else route,
            accused_organ_id=accused.pk if accused is not None else None,
            is_collective=collective,
            head_count=head_count,
            is_anonymous=anonymous,
            confidential=category == "accusation" and rng.random() < 0.5,
            parties=tuple(parties),
            # kept for the steps; not PetitionInput fields
            _category=category,
            _route=route,
        )

    def _slots(self, unit: _Unit, topic: _Topic) -> dict[str, str]:
        rng = self.rng
        dept = unit.organ(topic.accused) if topic.accused else None
        return {
            "place": f"{unit.name}{rng.choice(unit.towns)}",
            "estate": f"{rng.choice(_ESTATE.split())}{rng.choice(_ESTATE_SUFFIX)}",
            "village": rng.choice(_VILLAGE.split()),
            "company": f"{unit.name[:2]}{rng.choice(_FIRM.split())}{rng.choice(_INDUSTRY)}有限公司",
            "amount": f"{rng.randint(2, 380) * 100:,}",
            "n": str(rng.randint(3, 120)),
            "months": str(rng.randint(2, 18)),
            "year": str(rng.choice((2019, 2020, 2021, 2022, 2023, 2024))),
            "road": rng.choice(_ROAD),
            "school": f"{unit.name}{rng.choice(('第一', '第二', '实验', '城南', '育才'))}小学",
            "hospital": f"{unit.name}{rng.choice(('人民医院', '中医院', '妇幼保健院'))}",
            "dept_name": dept.name if dept else "",
            "fee": str(rng.randint(5, 60) * 10),
        }

    def _phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 999_999_999):09d}"

    def _person(self, role: str, unit: _Unit, channel: str) -> PartyInput:
        rng = self.rng
        name = f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN) if rng.random() < 0.6 else ''}"
        id_number = ""
        if channel in ("visit", "letter") and rng.random() < 0.7:
            birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 52))
            id_number = _id_number(
                f"{unit.region.code[:4]}{rng.randint(1, 30):02d}", birth, rng.randint(0, 999)
            )
        return PartyInput(
            role=role,
            name=name,
            id_number=id_number,
            phone=self._phone(),
            address=f"{unit.name}{rng.choice(unit.towns)}{rng.randint(1, 200)}号",
        )

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
            if routing not in options and routing not in ("transfer", "assign"):
                routing = next(iter(options))
            target = self._target(topic, unit, accused)
            gap = self._route_gap()
            router = intake
            if (
                intake.level == Level.CITY
                and unit.level == Level.COUNTY
                and accused is None
                and routing in ("transfer", "assign")
                and rng.random() < 0.35
            ):
                # 逐级转送: the city office passes a county matter to the county office
                add(A.TRANSFER, intake, gap, S.TRANSFERRED, role=REG, to_organ_id=unit.po.pk)
                router, gap = unit.po, r(0, 6)
            if routing == "refer_legal":
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
            add(A.REPLY, organ, r(61, 80) if late else r(8, 50), S.REPLIED, text)
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

    # -- lookups ------------------------------------------------------------------------------

    def _units(self) -> Iterator[_Unit]:
        yield self.province
        yield from self.cities
        yield from self.counties

    def _unit_of(self, organ: Organ) -> _Unit:
        for u in self._units():
            if u.region.pk == organ.region_id:
                return u
        raise KeyError(organ)  # pragma: no cover

    def _organ_by_pk(self, pk: int | None) -> Organ:
        for u in self._units():
            for o in (u.gov, u.po, u.court, u.police, u.discipline, *u.depts.values()):
                if o.pk == pk:
                    return o
        raise KeyError(pk)  # pragma: no cover


def _cut_for(steps: list[_Step], want: State) -> int | None:
    """How many steps to keep so the petition ends in ``want`` (the whole run in that state)."""
    if want == S.REGISTERED:
        return 0
    for i, s in enumerate(steps):
        if s.state == want:
            j = i
            while j + 1 < len(steps) and steps[j + 1].state == want:
                j += 1
            if want == S.IN_HANDLING and steps[j].action == A.HEARING_START:
                j -= 1  # keep hearings closed in the showcase
            return j + 1
    return None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(region6: str, birth: date, seq: int) -> str:
    body = f"{region6}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


# ---------------------------------------------------------------------------------------------
# The clock: the generator's own "now" while it writes the past
# ---------------------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.at: datetime | None = None
        self._real = clock.now

    def now(self) -> datetime:
        return self.at if self.at is not None else self._real()


@contextmanager
def _own_clock() -> Iterator[_Clock]:
    c = _Clock()
    real = clock.now
    clock.now = c.now  # type: ignore[assignment]
    try:
        yield c
    finally:
        clock.now = real  # type: ignore[assignment]


def _local(d: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(0, 0)) + timedelta(minutes=minutes))


def _ldate(t: datetime) -> date:
    return timezone.localdate(t)


# ---------------------------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------------------------

# (username suffix, roles, organ slot, label)
LOGINS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("clerk", (Role.REGISTRAR,), "po"),
    ("handler", (Role.HANDLER,), "housing"),
    ("head", (Role.ORGAN_HEAD,), "housing"),
    ("gov_head", (Role.ORGAN_HEAD,), "gov"),
    ("supervisor", (Role.SUPERVISOR,), "po"),
    ("leader", (Role.LEADER,), "gov"),
    ("analyst", (Role.ANALYST,), "po"),
    ("admin", (Role.ADMIN,), "po"),
)


class _Staff:
    """Who takes each step: a demo login where one sits at the organ, else the organ's duty
    officer (created on first use, with no usable password)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_organ: dict[int, list[User]] = defaultdict(list)
        self.officers: dict[int, User] = {}

    def add(self, user: User) -> None:
        assert user.organ_id is not None
        self.by_organ[user.organ_id].append(user)

    def for_action(self, organ: Organ, action: Action, role: str) -> User:
        users = self.by_organ.get(organ.pk, [])
        ranked = sorted(users, key=lambda u: 0 if role in _roles(u) else 1)
        for u in ranked:
            if action == A.REGISTER:
                if user_can_register(u):
                    return u
            elif user_can_act(u, action):
                return u
        return self.officer(organ)

    def officer(self, organ: Organ) -> User:
        u = self.officers.get(organ.pk)
        if u is None:
            rng = self.rng
            u = staff_create(
                username=f"staff_{organ.pk}",
                password=None,  # type: ignore[arg-type]  # no login: create_user sets it unusable
                organ=organ,
                roles=[Role.ORGAN_HEAD, Role.REGISTRAR, Role.HANDLER],
                display_name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}",
            )
            self.officers[organ.pk] = u
        return u


def _roles(user: User) -> frozenset[str]:
    from xinfang.directory.permissions import user_roles

    return user_roles(user)


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


def demo_seed(
    *,
    seed: int = 7,
    petitions: int = 3000,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    password: str = DEMO_PASSWORD,
) -> dict[str, Any]:
    """Fill an empty database with the demo province and ``petitions`` petitions.

    Returns ``{"password", "logins": [{"username", "role", "roles", "organ"}], "petitions",
    "events", "states": {state: count}, "seconds", "cpu_seconds", "errors"}``. Refuses
    (``ApplicationError``) when the database already holds petitions or the demo province.
    """
    if Petition.objects.exists():
        raise ApplicationError(
            "数据库中已有信访事项，演示数据只能生成到空数据库中", code="not_empty"
        )
    if Region.objects.filter(code=PROVINCE[0]).exists():
        raise ApplicationError("演示省份已存在", code="not_empty")
    started, cpu = _time.perf_counter(), _time.process_time()
    say = progress or (lambda _msg: None)
    rng = random.Random(seed)
    today = today or clock.today()
    errors: list[str] = []

    with _own_clock() as own:
        own.at = _local(today - timedelta(days=DAYS_BACK + 30), 9 * 60)
        say("生成机关和工作人员…")
        with transaction.atomic():
            province, cities, counties = _directory(rng)
            staff = _Staff(rng)
            logins = _logins(staff, province, cities[0], counties[0], password)

        planner = _Planner(rng, province, cities, counties)
        plans = _plans(planner, rng, petitions, today)
        online = [p for p in plans if p.want == S.RECEIVED]
        plans = [p for p in plans if p.want != S.RECEIVED]

        say(f"登记 {len(plans) + len(online)} 件信访事项…")
        _register(plans, staff, own, rng, today)
        _receive_online(online, planner, own, rng, today)
        _topic_decisions(plans)

        say("按办理流程推进…")
        _schedule(plans, rng, today)
        organs = {o.pk: o for o in Organ.objects.all()}
        total = len(plans)
        for i in range(0, total, 250):
            with transaction.atomic():
                for plan in plans[i : i + 250]:
                    _drive(plan, staff, organs, own, errors)
            say(f"  {min(i + 250, total)}/{total}")

        say("复核终结后以同一事实和理由再次信访（第三十六条第三款）…")
        _repeats(plans, planner, staff, own, rng, today, errors)

    say("建立全文检索索引…")
    from xinfang.workbench.services import search_index_pending

    search_index_pending()  # what the server's indexer thread has not done yet

    from xinfang.petitions.models import PetitionEvent

    states = Counter(Petition.objects.values_list("state", flat=True))
    return {
        "password": password,
        "logins": logins,
        "petitions": sum(states.values()),
        "events": PetitionEvent.objects.count(),
        "states": dict(sorted(states.items())),
        "seconds": round(_time.perf_counter() - started, 1),
        "cpu_seconds": round(_time.process_time() - cpu, 1),
        "errors": errors,
    }


def _directory(rng: random.Random) -> tuple[_Unit, list[_Unit], list[_Unit]]:
    province = _unit(PROVINCE[0], PROVINCE[1], Level.PROVINCE, None, rng)
    cities: list[_Unit] = []
    counties: list[_Unit] = []
    for code, name, subs in CITIES:
        city = _unit(code, name, Level.CITY, province, rng)
        cities.append(city)
        for ccode, cname in subs:
            counties.append(_unit(ccode, cname, Level.COUNTY, city, rng))
    return province, cities, counties


def _logins(
    staff: _Staff, province: _Unit, city: _Unit, county: _Unit, password: str
) -> list[dict[str, Any]]:
    """Readable logins for every role at the province, the first city and its first district.

    The one demo password is hashed once and shared (hashing it per user would take seconds).
    """
    rng = staff.rng
    out = []
    users = []
    for prefix, unit in (("province", province), ("city", city), ("county", county)):
        for suffix, roles, slot in LOGINS:
            organ = unit.organ(slot) if slot != "po" else unit.po
            user = staff_create(
                username=f"{prefix}_{suffix}",
                password=None,  # type: ignore[arg-type]  # set below, hashed once for all
                organ=organ,
                roles=list(roles),
                display_name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}",
            )
            users.append(user)
            staff.add(user)
            out.append(
                {
                    "username": user.username,
                    "role": roles[0],
                    "roles": [Role(r).label for r in roles],
                    "organ": organ.name,
                }
            )
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(password))
    return out


def _plans(planner: _Planner, rng: random.Random, n: int, today: date) -> list[_Plan]:
    """Showcase petitions that end in each state (some long overdue), then random stories."""
    per_state = max(2, n // 400)
    plans: list[_Plan] = []
    open_states = {s for s in State} - _FINAL_OR_CLOSED
    for want in State:
        for k in range(per_state):
            if want == S.RECEIVED:
                plans.append(_Plan(None, None, None, {}, [], 0, want=S.RECEIVED))  # type: ignore[arg-type]
                continue
            # half the showcase petitions in handling have had their time limit extended;
            # half of them all sit with the organs of the county and city logins
            extra: dict[str, Any] = {"extend": True} if want == S.IN_HANDLING and k % 2 == 0 else {}
            if k % 2 == 1 or want in (S.REGISTERED, S.ROUTING, S.OBJECTED):
                extra["demo_county"] = True
            plan = planner.plan(want, **extra)
            span = plan.lag_days + sum(s.gap for s in plan.steps) + 1
            if want in open_states:
                # a third are long overdue (积案), the rest within their limits
                slack = rng.randint(25, 150) if k % 3 == 2 else rng.randint(1, 6)
            else:
                slack = rng.randint(1, 200)
            slack = min(slack, max(1, DAYS_BACK - span))
            plan.received_at = _local(
                today - timedelta(days=span + slack), rng.randint(8 * 60 + 30, 17 * 60)
            )
            plans.append(plan)
    for _ in range(max(0, n - len(plans))):
        plan = planner.plan()
        # a few stall: nobody takes the next step (old unresolved petitions)
        if plan.steps and rng.random() < 0.035:
            plan.steps = plan.steps[: rng.randint(0, len(plan.steps) - 1)]
            while plan.steps and plan.steps[-1].action == A.HEARING_START:
                plan.steps.pop()
        # spread over the 18 months, somewhat more in recent months
        age = rng.uniform(1, DAYS_BACK) if rng.random() < 0.7 else rng.triangular(1, DAYS_BACK, 1)
        plan.received_at = _local(
            today - timedelta(days=int(age)), rng.randint(8 * 60 + 30, 17 * 60)
        )
        plans.append(plan)
    return plans


def _register(
    plans: list[_Plan], staff: _Staff, own: _Clock, rng: random.Random, today: date
) -> None:
    """Register in batches: one ``petition_register_many`` per intake organ and day."""
    groups: dict[tuple[int, date], list[_Plan]] = defaultdict(list)
    for p in plans:
        assert p.received_at is not None
        if p.lag_days == 0 or _ldate(p.received_at) + timedelta(days=p.lag_days) >= today:
            reg = p.received_at + timedelta(minutes=rng.randint(5, 90))
        else:
            reg = _local(
                _ldate(p.received_at) + timedelta(days=p.lag_days), rng.randint(9 * 60, 17 * 60)
            )
        p.registered_at = reg
        groups[(p.intake.pk, _ldate(reg))].append(p)
    keys = sorted(groups, key=lambda k: (k[1], k[0]))
    with transaction.atomic():
        for key in keys:
            batch = groups[key]
            at = max(p.registered_at for p in batch)  # type: ignore[type-var]
            organ = batch[0].intake
            actor = staff.for_action(organ, A.REGISTER, Role.REGISTRAR)
            own.at = at
            regs = petition_register_many(
                items=[_input(p) for p in batch], organ=organ, actor=actor
            )
            for p, r in zip(batch, regs, strict=True):
                p.petition_id = r.petition.pk
                p.registered_at = at


#: The demo departments' matters in the deployment's default topic tree (insight 0002).
DEPT_TOPIC = {
    "housing": "城乡建设",
    "hrss": "劳动和社会保障",
    "edu": "教育文体",
    "land": "国土资源",
    "env": "环境保护",
    "health": "卫生计生",
    "market": "商贸旅游",
    "transport": "交通运输",
    "court": "政法",
    "police": "政法",
    "discipline": "党务政务",
    "gov": "党务政务",
}


def _topic_decisions(plans: list[_Plan]) -> None:
    """The topic each registering clerk chose (no model yet at the demo's start), so that the
    topic model can be trained on the demo's own history (``xinfang demo`` does)."""
    from xinfang.insight.models import Topic, TopicDecision, TopicOutcome

    topics = {t.name: t for t in Topic.objects.filter(parent=None)}
    regs = dict(
        Petition.objects.filter(pk__in=[p.petition_id for p in plans if p.petition_id])
        .values_list("pk", "registering_organ_id")
    )
    rows = []
    for p in plans:
        topic = topics.get(DEPT_TOPIC.get(p.topic.dept, ""))
        if p.petition_id is None or topic is None or p.registered_at is None:
            continue
        rows.append(
            TopicDecision(
                petition_id=p.petition_id,
                topic=topic,
                outcome=TopicOutcome.MANUAL,
                decided_by_organ_id=regs.get(p.petition_id),
                decided_at=p.registered_at,
                at_intake=True,
            )
        )
    TopicDecision.objects.bulk_create(rows, batch_size=1000)


def _input(p: _Plan) -> PetitionInput:
    f = {k: v for k, v in p.fields.items() if not k.startswith("_")}
    return PetitionInput(received_at=p.received_at, **f)


def _receive_online(
    plans: list[_Plan], planner: _Planner, own: _Clock, rng: random.Random, today: date
) -> None:
    """Online submissions a clerk has not yet looked at (RECEIVED)."""
    for i, p in enumerate(plans):
        full = planner.plan()
        full.fields["channel"] = "online"
        received = _local(
            today - timedelta(days=rng.randint(1, 5 if i % 3 else 20)), rng.randint(0, 23 * 60)
        )
        own.at = received
        organ = full.intake if full.intake.kind == OrganKind.PETITION_OFFICE else full.unit.po
        data = _input(_Plan(full.unit, organ, full.topic, full.fields, [], 0, received_at=received))
        r = petition_register(data=data, organ=organ, actor=None, submitted_online=True)
        p.petition_id = r.petition.pk


def _schedule(plans: list[_Plan], rng: random.Random, today: date) -> None:
    """The real time of every step; a story still unfinished today stops where it is."""
    for p in plans:
        t = p.registered_at
        assert t is not None
        times: list[datetime] = []
        for s in p.steps:
            if s.gap == 0:
                nt = t + timedelta(minutes=rng.randint(5, 60))
            else:
                nt = _local(
                    _ldate(t) + timedelta(days=s.gap), rng.randint(8 * 60 + 30, 17 * 60 + 30)
                )
            if _ldate(nt) >= today:
                break
            times.append(nt)
            t = nt
        p.steps = p.steps[: len(times)]
        p.times = times
        while p.steps and p.steps[-1].action == A.HEARING_START and p.want is None:
            # leave no random story stuck in a hearing that the cut interrupted… unless recent
            if (today - _ldate(p.times[-1])).days > 20:
                p.steps.pop()
                p.times.pop()
            else:
                break


def _drive(
    plan: _Plan, staff: _Staff, organs: dict[int, Organ], own: _Clock, errors: list[str]
) -> None:
    assert plan.petition_id is not None
    for step, at in zip(plan.steps, plan.times, strict=True):
        organ = organs[step.organ.pk]
        actor = staff.for_action(organ, step.action, step.role)
        data = dict(step.data)
        if "report_due_days" in data:
            data["report_due"] = (
                _ldate(at) + timedelta(days=data.pop("report_due_days"))
            ).isoformat()
        if step.action in (A.ACKNOWLEDGE, A.START_HANDLING) and data.get("route") is None:
            data.pop("route", None)
        own.at = at
        try:
            petition_act(
                petition_id=plan.petition_id,
                action=step.action,
                actor=actor,
                at=at,
                reason=step.reason,
                data=data,
            )
        except ApplicationError as e:
            errors.append(f"{plan.petition_id} {step.action} {e.message} {e.fields}")
            return


def _repeats(
    plans: list[_Plan],
    planner: _Planner,
    staff: _Staff,
    own: _Clock,
    rng: random.Random,
    today: date,
    errors: list[str],
) -> None:
    """After a re-review ends the matter, the petitioner raises the same facts again: the office
    refuses it (Art. 36 para 3)."""
    done = [
        p
        for p in plans
        if any(s.action == A.DECIDE_RE_REVIEW for s in p.steps)
        and p.times
        and (today - _ldate(p.times[-1])).days >= 12
    ]
    rng.shuffle(done)
    for p in done[: max(1, len(plans) // 600)]:
        organ = p.unit.po
        last = p.times[-1]
        received = _local(
            _ldate(last) + timedelta(days=rng.randint(3, (today - _ldate(last)).days - 6)), 10 * 60
        )
        fields = dict(p.fields)
        fields["title"] = f"再次反映：{fields['title']}"[:200]
        fields["channel"] = "visit"
        fields["accused_organ_id"] = (
            None if fields.get("_category") != "accusation" else fields.get("accused_organ_id")
        )
        data = PetitionInput(
            received_at=received,
            repeat_of_id=p.petition_id,
            **{k: v for k, v in fields.items() if not k.startswith("_")},
        )
        actor = staff.for_action(organ, A.REGISTER, Role.REGISTRAR)
        own.at = received + timedelta(minutes=30)
        with transaction.atomic():
            reg = petition_register(data=data, organ=organ, actor=actor, at=own.at)
            at = received + timedelta(days=rng.randint(1, 4), hours=1)
            own.at = at
            try:
                petition_act(
                    petition_id=reg.petition.pk,
                    action=A.NOT_ACCEPT,
                    actor=actor,
                    at=at,
                    reason=_WHY["repeat"],
                    data={"ground": "same_facts_after_re_review", "confirmed": True},
                )
            except ApplicationError as e:
                errors.append(f"{reg.petition.pk} not_accept {e.message} {e.fields}")
